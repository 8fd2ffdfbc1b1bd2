import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalTls } from '../../dev/localTls.js';
import { WebexSimulator } from '../../dev/webexSimulator.js';
import { CloudEventsPublisher } from '../../shared/adapters/cloudEvents/cloudEventsPublisher.js';
import { CosmosJoinDeliveries } from '../../shared/adapters/cosmos/cosmosJoinDeliveries.js';
import { WebexMessages } from '../../shared/adapters/webex/webexMessages.js';
import { WebexRoomDevices } from '../../shared/adapters/webex/webexRoomDevices.js';
import { isAppError } from '../../shared/errors.js';
import {
  CloudEventEndpoints,
  cloudEventEndpointDocuments,
} from '../../shared/notifications/cloudEventEndpoints.js';
import { joinDeliveries } from '../../shared/notifications/joinDeliveries.js';
import { dialOf, type JoinNotice } from '../../shared/notifications/joinNotifier.js';
import { ManualClock } from '../../shared/time/clock.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { TransparentCipher } from '../support/fakes/transparentCipher.js';

// The Join notification adapters against their real peers: the Webex simulator over HTTPS, an HTTP
// receiver that verifies Standard Webhooks signatures, the embedded Cosmos server.
const notice: JoinNotice = {
  tenantId: 'tenant-1',
  meetingKey: 'meeting-key-1',
  start: '2026-11-23T09:00:00.000Z',
  end: '2026-11-23T09:30:00.000Z',
  title: 'Quarterly review',
  organizerName: 'Alice',
  join: { link: 'https://contoso.webex.com/meet/alice', sipAddress: 'alice@contoso.webex.com' },
};
const clock = new ManualClock('2026-11-23T08:55:00Z');
let webex: WebexSimulator;
const cosmosDatabase = freshCosmosDatabases();

beforeAll(async () => {
  const stateDir = process.env.TEST_STATE_DIR ?? '';
  webex = new WebexSimulator({
    tls: await ensureLocalTls(stateDir),
    port: 0,
    workspaces: [{ displayName: 'Board Room', calendarEmail: 'boardroom@contoso.example' }],
  });
  await webex.start();
});

afterAll(async () => {
  await webex?.stop();
});

describe('Webex messages', () => {
  it('when a person is told, then Webex gets one 1:1 message with a 1.3 card whose Join button opens the link, in their language', async () => {
    const messages = new WebexMessages({ baseUrl: webex.baseUrl, accessToken: webex.accessToken });
    await messages.notifyPerson(notice, {
      key: 'person:x',
      address: 'Kenji@contoso.example',
      name: 'Kenji',
      language: 'ja',
    });
    const received = webex.join.messages.at(-1);
    expect(received?.toPersonEmail).toBe('kenji@contoso.example');
    expect(received?.card).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.3',
      actions: [{ type: 'Action.OpenUrl', title: '参加', url: notice.join.link }],
    });
    expect(received?.markdown).toContain('Quarterly review');
  });

  it('when Webex answers 429, then the send fails as throttled with its Retry-After', async () => {
    const messages = new WebexMessages({ baseUrl: webex.baseUrl, accessToken: webex.accessToken });
    webex.join.control('POST', '/_control/throttle', { requests: 1, retryAfterSeconds: 7 });
    const failure = await messages
      .notifyPerson(notice, { key: 'person:x', address: 'bjorn@contoso.example', name: null, language: 'sv' })
      .catch((error: unknown) => error);
    expect(isAppError(failure) && failure.code === 'throttled' && failure.retryAfterMs).toBe(7_000);
  });
});

describe('room devices', () => {
  it('when a room’s bookings are put, then its device (found by the workspace’s calendar e-mail) holds the whole list, SIP mapped', async () => {
    const rooms = new WebexRoomDevices({ baseUrl: webex.baseUrl, accessToken: webex.accessToken, clock });
    const booking = {
      id: 'b1',
      title: notice.title,
      start: notice.start,
      durationMinutes: 30,
      organizerName: 'Alice',
      ...dialOf(notice.join),
    };
    expect(await rooms.putBookings('BoardRoom@contoso.example', [booking])).toBe('pushed');
    expect(await rooms.putBookings('boardroom@contoso.example', [booking])).toBe('pushed');
    expect(await rooms.putBookings('nowhere@contoso.example', [])).toBe('no-device');
    const devices = (webex.join.control('GET', '/_control/devices', undefined)?.body ?? { items: [] }) as {
      items: Array<{ calendarEmail: string; bookings: unknown[] }>;
    };
    expect(devices.items[0]?.bookings).toEqual([
      expect.objectContaining({
        Number: 'alice@contoso.webex.com',
        Protocol: 'SIP',
        MeetingPlatform: 'Webex',
      }),
    ]);
    // The workspace mapping is cached: one lookup for the two pushes to the same room.
    expect(webex.calls.get('GET /v1/workspaces')).toBe(2);
  });
});

describe('CloudEvents', () => {
  let server: Server;
  let url = '';
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const bodies: unknown[] = [];
  let failFirst = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        if (failFirst > 0) {
          failFirst -= 1;
          response.writeHead(503).end();
          return;
        }
        try {
          bodies.push(new Webhook(secret).verify(body, request.headers as Record<string, string>));
          response.writeHead(204).end();
        } catch {
          response.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('when a join is due and the endpoint fails once, then after a backoff it gets one CloudEvent whose signature verifies', async () => {
    const pauses: number[] = [];
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url, secret, operatorConfigured: true }],
      clock,
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    failFirst = 1;
    await publisher.notifyIntegrations(notice);
    expect(pauses).toEqual([500]);
    expect(bodies.at(-1)).toMatchObject({
      specversion: '1.0',
      type: 'com.hybridcalendar.join.due',
      subject: 'meeting-key-1',
      data: { title: 'Quarterly review' },
    });
  });

  it('when a presence change is published, then it goes out as com.hybridcalendar.presence.changed', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url, secret, operatorConfigured: true }],
      clock,
    });
    await publisher.publishPresence({
      tenantId: 'tenant-1',
      userId: 'user-1',
      state: 'out-of-office',
      at: '2026-11-23T09:00:00.000Z',
      signal: 'automatic-replies',
    });
    expect(bodies.at(-1)).toMatchObject({
      type: 'com.hybridcalendar.presence.changed',
      data: { state: 'out-of-office' },
    });
  });

  it('when the endpoint keeps failing, then the send fails (transient) after the backoff runs out', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url, secret, operatorConfigured: true }],
      clock,
      sleep: async () => undefined,
    });
    failFirst = 10;
    await expect(publisher.notifyIntegrations(notice)).rejects.toMatchObject({
      code: 'dependency-unavailable',
    });
    failFirst = 0;
  });
});

describe('Cosmos: delivery markers and endpoints', () => {
  it('when a marker is claimed twice, then the second claim loses; released, it can be claimed again', async () => {
    const store = await cosmosDatabase('join-deliveries', [joinDeliveries]);
    const markers = new CosmosJoinDeliveries(store);
    const marker = {
      id: 'm1',
      tenantId: 't1',
      channel: 'webex-message',
      claimedAt: clock.now().toISOString(),
      ttl: 3600,
    };
    expect(await markers.claim(marker)).toBe(true);
    expect(await markers.claim(marker)).toBe(false);
    await markers.release('t1', 'm1');
    expect(await markers.claim(marker)).toBe(true);
  });

  it('when endpoints are set, then secrets are stored sealed, never shown, kept when omitted, and opened for signing', async () => {
    const store = await cosmosDatabase('cloudevents-endpoints', [cloudEventEndpointDocuments]);
    const endpoints = new CloudEventEndpoints({
      documents: store.collection(cloudEventEndpointDocuments),
      cipher: new TransparentCipher(),
      clock,
    });
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const view = await endpoints.replace('t1', { endpoints: [{ url: 'https://hooks.example/a', secret }] });
    expect(JSON.stringify(view)).not.toContain('whsec_');
    const stored = await store.collection(cloudEventEndpointDocuments).read('t1', 't1');
    expect(JSON.stringify(stored?.value)).not.toContain(secret);
    await endpoints.replace('t1', { endpoints: [{ url: 'https://hooks.example/a' }] });
    expect(await endpoints.endpointsOf('t1')).toEqual([{ url: 'https://hooks.example/a', secret }]);
    await expect(
      endpoints.replace('t1', { endpoints: [{ url: 'https://hooks.example/new' }] }),
    ).rejects.toMatchObject({
      code: 'input-invalid',
    });
  });
});
