import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import type { GraphCalendarGateway } from '../../shared/adapters/graph/graphCalendarGateway.js';
import { GraphPresenceSource } from '../../shared/adapters/graph/graphPresenceSource.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';

// The presence source on Graph, against the Graph simulator over HTTP: $batch, UTC, per-user answers.
let simulator: GraphSimulator;
let gateway: GraphCalendarGateway;
let source: GraphPresenceSource;
let tenantId: string;
const ids = {
  alice: '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01',
  bjorn: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
  ayse: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
  kenji: '1e0d4b8a-0004-4c3f-9a7e-5b6c7d8e9f04',
};
const hour = 3_600_000;

async function control(path: string, body: unknown = {}): Promise<void> {
  await fetch(`${simulator.baseUrl}/_control${path}`, { method: 'POST', body: JSON.stringify(body) });
}

function nextWindow(): { from: Date; to: Date } {
  const now = simulator.clock.now();
  return { from: now, to: new Date(now.getTime() + hour) };
}

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
  tenantId = simulator.tenant.tenantId;
  gateway = buildGatewayFor(simulator);
  source = new GraphPresenceSource(gateway);
});

seedFaultsForEachTest(() => [simulator]);

afterEach(async () => {
  await control('/faults', { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, retryAfterSeconds: 1 });
});

afterAll(async () => {
  await simulator?.stop();
});

describe('GraphPresenceSource against the Graph simulator', () => {
  it('when automatic replies are set through mailbox settings inside $batch, then they are read back in UTC', async () => {
    const patched = await gateway.batch(tenantId, [
      {
        id: 'bjorn',
        method: 'PATCH',
        url: `/users/${ids.bjorn}/mailboxSettings`,
        body: {
          automaticRepliesSetting: {
            status: 'scheduled',
            scheduledStartDateTime: { dateTime: '2026-07-01T09:00:00', timeZone: 'W. Europe Standard Time' },
            scheduledEndDateTime: { dateTime: '2026-07-03T17:00:00', timeZone: 'W. Europe Standard Time' },
          },
        },
      },
      {
        id: 'ayse',
        method: 'PATCH',
        url: `/users/${ids.ayse}/mailboxSettings`,
        body: { automaticRepliesSetting: { status: 'alwaysEnabled' } },
      },
    ]);
    expect([...patched.values()].map((answer) => answer.status)).toEqual([200, 200]);

    const results = await source.readPresence(tenantId, [ids.bjorn, ids.ayse, ids.kenji], nextWindow());

    expect(results.get(ids.bjorn)).toEqual({
      outcome: 'read',
      reading: {
        automaticReplies: {
          status: 'scheduled',
          window: { startMs: Date.parse('2026-07-01T07:00:00Z'), endMs: Date.parse('2026-07-03T15:00:00Z') },
        },
        outOfOfficeEvents: [],
      },
    });
    expect(results.get(ids.ayse)).toMatchObject({
      outcome: 'read',
      reading: { automaticReplies: { status: 'alwaysEnabled' } },
    });
    expect(results.get(ids.kenji)).toMatchObject({
      outcome: 'read',
      reading: { automaticReplies: { status: 'disabled' } },
    });
  });

  it('when an event shown as out of office covers the window, then it is read as the second signal', async () => {
    const now = simulator.clock.now().getTime();
    const utc = (ms: number) => ({ dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' });
    await gateway.createEvent(
      { tenantId, userId: ids.alice },
      { subject: 'Vacation', showAs: 'oof', start: utc(now - hour), end: utc(now + 2 * hour) },
    );
    await gateway.createEvent(
      { tenantId, userId: ids.alice },
      { subject: 'Busy', showAs: 'busy', start: utc(now), end: utc(now + hour) },
    );

    const results = await source.readPresence(tenantId, [ids.alice], nextWindow());

    expect(results.get(ids.alice)).toMatchObject({
      outcome: 'read',
      reading: {
        outOfOfficeEvents: [
          {
            startMs: Math.floor((now - hour) / 1000) * 1000,
            endMs: Math.floor((now + 2 * hour) / 1000) * 1000,
          },
        ],
      },
    });
  });

  it('when users are named more than once, then each is read once and their steps share one $batch request', async () => {
    simulator.requestCounts.clear();
    const users = Array.from({ length: 15 }, () => Object.values(ids))
      .flat()
      .slice(0, 30);
    const results = await source.readPresence(tenantId, users, nextWindow());

    expect(results.size).toBe(4);
    expect(simulator.requestCounts.get('POST $batch')).toBe(1);
  });

  it('when a user does not exist, then that user fails and the others are read', async () => {
    const results = await source.readPresence(
      tenantId,
      [ids.kenji, '00000000-0000-4000-8000-000000000000', '../admin'],
      nextWindow(),
    );

    expect(results.get(ids.kenji)?.outcome).toBe('read');
    expect(results.get('00000000-0000-4000-8000-000000000000')).toMatchObject({ outcome: 'failed' });
    expect(results.get('../admin')).toEqual({ outcome: 'failed', code: 'input-invalid' });
  });
});
