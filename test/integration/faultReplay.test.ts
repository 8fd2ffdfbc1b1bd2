import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { localStackOptionsFrom } from '../../dev/localStack.js';
import { ensureLocalTls } from '../../dev/localTls.js';
import { WebexSimulator } from '../../dev/webexSimulator.js';
import { faultSeed, seedFaultsForEachTest } from '../support/faultSeed.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

// Injected faults come from seeded streams: the same seed and the same requests fail the same
// requests, so a failing run can be replayed; another seed fails others.
const otherSeed = (faultSeed + 1) >>> 0;
seedFaultsForEachTest();

async function controlFaults(baseUrl: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/_control/faults`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** Statuses of 60 reads, one after another, from a fresh Graph simulator seeded with `seed`. */
async function graphStatuses(seed: number, reseedTo?: number): Promise<number[]> {
  const simulator = await startTestGraphSimulator({ faultSeed: seed });
  try {
    await controlFaults(simulator.baseUrl, { throttleRate: 0.2, serverErrorRate: 0.2, retryAfterSeconds: 0 });
    if (reseedTo !== undefined) await controlFaults(simulator.baseUrl, { seed: reseedTo });
    const authorization = `Bearer ${await simulator.identity.issueAppToken()}`;
    const statuses: number[] = [];
    for (let index = 0; index < 60; index += 1) {
      const user = ['alice', 'bjorn'][index % 2];
      const response = await fetch(`${simulator.graphUrl}/users/${user}@contoso.example/mailboxSettings`, {
        headers: { authorization },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return statuses;
  } finally {
    await simulator.stop();
  }
}

/** Statuses of 40 Personal Room reads from a fresh Webex simulator seeded with `seed`. */
async function webexStatuses(seed: number, reseedTo?: number): Promise<number[]> {
  const simulator = new WebexSimulator({
    tls: await ensureLocalTls(process.env.TEST_STATE_DIR ?? ''),
    port: 0,
    faultSeed: seed,
  });
  await simulator.start();
  const control = simulator.baseUrl.replace(/\/v1$/, '');
  try {
    await controlFaults(control, { serverErrorRate: 0.3 });
    if (reseedTo !== undefined) await controlFaults(control, { seed: reseedTo });
    const statuses: number[] = [];
    for (let index = 0; index < 40; index += 1) {
      const response = await fetch(
        `${simulator.baseUrl}/meetingPreferences/personalMeetingRoom?userEmail=user${index}@contoso.example`,
        { headers: { authorization: `Bearer ${simulator.accessToken}` } },
      );
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return statuses;
  } finally {
    await simulator.stop();
  }
}

describe('replaying injected faults', () => {
  it('when the Graph simulator runs twice with the same seed, then the same requests get 429 and 503; with another seed, others do', async () => {
    const first = await graphStatuses(faultSeed);
    const second = await graphStatuses(faultSeed);
    const other = await graphStatuses(otherSeed);

    expect(first).toContain(200);
    expect(first).toContain(429);
    expect(first).toContain(503);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('when the Graph control API is given a seed, then the faults start again from it and GET shows it', async () => {
    const first = await graphStatuses(faultSeed);

    expect(await graphStatuses(otherSeed, faultSeed)).toEqual(first);
    const simulator: GraphSimulator = await startTestGraphSimulator({ faultSeed: 77 });
    try {
      expect(await controlFaults(simulator.baseUrl)).toMatchObject({ seed: 77, throttleRate: 0 });
      expect(await controlFaults(simulator.baseUrl, { seed: 78 })).toMatchObject({ seed: 78 });
      expect(simulator.faultSeed).toBe(78);
      for (const seed of [-1, 1.5, 2 ** 32, 'x']) {
        const invalid = await fetch(`${simulator.baseUrl}/_control/faults`, {
          method: 'POST',
          body: JSON.stringify({ seed }),
        });
        expect(invalid.status).toBe(400);
      }
    } finally {
      await simulator.stop();
    }
  });

  it('when the Webex simulator runs twice with the same seed, then the same requests get 503; with another seed, others do', async () => {
    const first = await webexStatuses(faultSeed);
    const second = await webexStatuses(faultSeed);
    const other = await webexStatuses(otherSeed);
    const reseeded = await webexStatuses(otherSeed, faultSeed);

    expect(first).toContain(200);
    expect(first).toContain(503);
    expect(second).toEqual(first);
    expect(reseeded).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('when the Webex control API is asked, then it shows the seed, takes a new one and refuses a bad one', async () => {
    const simulator = new WebexSimulator({
      tls: await ensureLocalTls(process.env.TEST_STATE_DIR ?? ''),
      port: 0,
      faultSeed: 12,
    });
    await simulator.start();
    const control = simulator.baseUrl.replace(/\/v1$/, '');
    try {
      expect(await controlFaults(control)).toEqual({ serverErrorRate: 0, seed: 12 });
      expect(await controlFaults(control, { seed: 13 })).toEqual({ serverErrorRate: 0, seed: 13 });
      for (const body of [{}, { seed: -1 }, { seed: 'x' }, { serverErrorRate: 2 }]) {
        const invalid = await fetch(`${control}/_control/faults`, {
          method: 'POST',
          body: JSON.stringify(body),
        });
        expect(invalid.status).toBe(400);
      }
    } finally {
      await simulator.stop();
    }
  });

  describe('notifications', () => {
    let receiver: Server;
    let receiverUrl: string;
    /** Deliveries per event id. */
    const received = new Map<string, number>();

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        const token = new URL(request.url ?? '/', 'http://x').searchParams.get('validationToken');
        if (token) return response.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        let text = '';
        request.on('data', (chunk) => {
          text += chunk;
        });
        request.on('end', () => {
          const body = JSON.parse(text) as { value: Array<{ resourceData: { id: string } }> };
          for (const notification of body.value) {
            const id = notification.resourceData.id;
            received.set(id, (received.get(id) ?? 0) + 1);
          }
          response.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });

    afterAll(() => {
      receiver?.closeAllConnections();
      receiver?.close();
    });

    /** How often each of 40 new events was notified (0 dropped, 2 duplicated) by a simulator seeded `seed`. */
    async function notificationCounts(seed: number): Promise<number[]> {
      const simulator = await startTestGraphSimulator({
        faultSeed: seed,
        delivery: { retryDelaysMs: [], batchWindowMs: 1 },
      });
      try {
        const headers = {
          authorization: `Bearer ${await simulator.identity.issueAppToken()}`,
          'content-type': 'application/json',
        };
        const post = async (path: string, body: unknown) =>
          (await (
            await fetch(`${simulator.graphUrl}${path}`, {
              method: 'POST',
              headers,
              body: JSON.stringify(body),
            })
          ).json()) as { id: string };
        await post('/subscriptions', {
          changeType: 'created',
          notificationUrl: `${receiverUrl}/notify`,
          resource: '/users/alice@contoso.example/events',
          expirationDateTime: new Date(simulator.clock.now().getTime() + 3_600_000).toISOString(),
        });
        await controlFaults(simulator.baseUrl, { dropNotificationRate: 0.3, duplicateNotificationRate: 0.3 });
        const ids: string[] = [];
        for (let index = 0; index < 40; index += 1) {
          const event = await post('/users/alice@contoso.example/events', {
            subject: `Replay ${index}`,
            start: { dateTime: '2026-12-01T09:00:00', timeZone: 'UTC' },
            end: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
          });
          ids.push(event.id);
          // One notification per batch, so each draw meets the same notification every run.
          await simulator.subscriptions.settle();
        }
        return ids.map((id) => received.get(id) ?? 0);
      } finally {
        await simulator.stop();
      }
    }

    it('when notifications are dropped and duplicated under the same seed twice, then the same ones are; under another seed, others', async () => {
      const first = await notificationCounts(faultSeed);
      const second = await notificationCounts(faultSeed);
      const other = await notificationCounts(otherSeed);

      expect(first).toContain(0);
      expect(first).toContain(1);
      expect(first).toContain(2);
      expect(second).toEqual(first);
      expect(other).not.toEqual(first);
    });
  });

  it('when the local stack reads LOCAL_FAULT_SEED, then it takes an integer, defaults to 1 and refuses anything else by name', () => {
    expect(localStackOptionsFrom({}).faultSeed).toBe(1);
    expect(localStackOptionsFrom({ LOCAL_FAULT_SEED: '2024' }).faultSeed).toBe(2024);
    expect(() => localStackOptionsFrom({ LOCAL_FAULT_SEED: 'seven' })).toThrow(/LOCAL_FAULT_SEED/);
  });
});
