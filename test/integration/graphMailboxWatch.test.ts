import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import type { GraphCalendarGateway } from '../../shared/adapters/graph/graphCalendarGateway.js';
import { GraphMailboxWatch } from '../../shared/adapters/graph/graphMailboxWatch.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';

// The watch port on Graph, against the Graph simulator over HTTP: what the watch's use cases see.
let simulator: GraphSimulator;
let gateway: GraphCalendarGateway;
let watch: GraphMailboxWatch;
let tenantId: string;
let receiver: Server;
let receiverUrl: string;
const ids = {
  alice: '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01',
  bjorn: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
  ayse: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
  kenji: '1e0d4b8a-0004-4c3f-9a7e-5b6c7d8e9f04',
};
const day = 86_400_000;

async function control(path: string, body: unknown = {}): Promise<void> {
  await fetch(`${simulator.baseUrl}/_control${path}`, { method: 'POST', body: JSON.stringify(body) });
}

function mailboxOf(userId: string): MailboxRef {
  return { tenantId, userId };
}

function slot(daysAhead: number): Record<string, unknown> {
  const start = new Date(simulator.clock.now().getTime() + daysAhead * day);
  return {
    start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
    end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString().slice(0, 19), timeZone: 'UTC' },
  };
}

beforeAll(async () => {
  simulator = await startTestGraphSimulator({ delivery: { retryDelaysMs: [50, 100], batchWindowMs: 10 } });
  tenantId = simulator.tenant.tenantId;
  gateway = buildGatewayFor(simulator);
  watch = new GraphMailboxWatch(gateway);
  // Answers the validation handshake and takes whatever Graph posts.
  receiver = createServer((request, response) => {
    const token = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('validationToken');
    request.resume();
    response.writeHead(token ? 200 : 202, { 'content-type': 'text/plain' });
    response.end(token ?? '');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

seedFaultsForEachTest(() => [simulator]);

afterEach(async () => {
  await control('/faults', { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, retryAfterSeconds: 1 });
});

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await simulator?.stop();
});

describe('GraphMailboxWatch against the Graph simulator', () => {
  it('when a mailbox is subscribed, renewed, listed and unsubscribed, then each answer is in the watch’s words', async () => {
    const request = {
      mailbox: mailboxOf(ids.ayse),
      notificationUrl: `${receiverUrl}/notifications`,
      lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
      expiresAt: new Date(simulator.clock.now().getTime() + 2 * day),
      clientState: 'nonce.signature',
    };
    const renewedUntil = new Date(simulator.clock.now().getTime() + 5 * day);

    const subscription = await watch.subscribe(request);
    const duplicate = watch.subscribe(request).catch((error: unknown) => error);
    const renewals = await watch.renewAll(tenantId, [subscription.id, 'no-such-subscription'], renewedUntil);
    const listed = await watch.subscriptions(tenantId);
    await watch.unsubscribe(tenantId, subscription.id);
    const again = watch.unsubscribe(tenantId, subscription.id);

    expect(subscription).toEqual({
      id: expect.any(String),
      userId: ids.ayse,
      notificationUrl: `${receiverUrl}/notifications`,
      expiresAt: request.expiresAt,
    });
    expect(await duplicate).toMatchObject({ code: 'already-exists', status: 409 });
    expect(renewals).toEqual(
      new Map([
        [subscription.id, { outcome: 'renewed', expiresAt: renewedUntil }],
        ['no-such-subscription', { outcome: 'gone' }],
      ]),
    );
    expect(listed).toContainEqual({ ...subscription, expiresAt: renewedUntil });
    await expect(again).resolves.toBeUndefined();
  });

  it('when one mailbox left Exchange Online, then the availability check says gone for it alone', async () => {
    await control(`/mailboxes/${ids.bjorn}/gone`);
    try {
      const availability = await watch.mailboxAvailability(tenantId, [ids.alice, ids.bjorn]);

      expect(availability).toEqual(
        new Map([
          [ids.alice, 'available'],
          [ids.bjorn, 'gone'],
        ]),
      );
    } finally {
      await control(`/mailboxes/${ids.bjorn}/restore`);
    }
  });

  it('when a user no longer exists, then the availability check says gone and reading changes fails with mailbox-gone', async () => {
    const missing = '1e0d4b8a-9999-4c3f-9a7e-5b6c7d8e9f99';

    const availability = await watch.mailboxAvailability(tenantId, [missing]);
    const changes = watch.calendarChanges(mailboxOf(missing), {
      window: { from: simulator.clock.now(), to: new Date(simulator.clock.now().getTime() + day) },
    });

    expect(availability.get(missing)).toBe('gone');
    await expect(changes).rejects.toMatchObject({ code: 'mailbox-gone', status: 404 });
  });

  it('when the calendar changes, then a round from the delta link reports changed and removed events, and an invalidated link expires', async () => {
    const mailbox = mailboxOf(ids.kenji);
    const window = { from: simulator.clock.now(), to: new Date(simulator.clock.now().getTime() + 10 * day) };
    const kept = await gateway.createEvent(mailbox, { subject: 'Kept', ...slot(1) });
    const dropped = await gateway.createEvent(mailbox, { subject: 'Dropped', ...slot(2) });
    const initial = await watch.calendarChanges(mailbox, { window });
    const added = await gateway.createEvent(mailbox, { subject: 'Added', ...slot(3) });
    await gateway.deleteEvent(mailbox, dropped.id);

    const next = await watch.calendarChanges(mailbox, { deltaLink: initial.deltaLink });
    await control(`/mailboxes/${ids.kenji}/invalidate-delta`);
    const expired = watch.calendarChanges(mailbox, { deltaLink: next.deltaLink });

    expect(initial.changed.map((change) => change.eventId)).toEqual(
      expect.arrayContaining([kept.id, dropped.id]),
    );
    expect(next.changed).toEqual([{ eventId: added.id, changeKey: added.changeKey ?? undefined }]);
    expect(next.removedEventIds).toEqual([dropped.id]);
    await expect(expired).rejects.toMatchObject({ code: 'sync-state-expired' });
  });

  it('when the mailbox has a language, then that is the language', async () => {
    expect(await watch.mailboxLanguage(mailboxOf(ids.bjorn))).toBe('sv-SE');
  });
});
