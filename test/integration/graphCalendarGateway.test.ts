import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { GraphCalendarGateway } from '../../shared/adapters/graph/graphCalendarGateway.js';
import { isGraphRequestError } from '../../shared/adapters/graph/graphRequestError.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import {
  type QueueFunctionDefinition,
  settleQueueMessage,
} from '../../shared/hosting/functionDefinitions.js';
import { seededJitter } from '../../shared/random/seededRandom.js';
import { faultSeed, seedFaultsForEachTest } from '../support/faultSeed.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';
import { buildInvocationContext } from '../support/invocationContext.js';

let simulator: GraphSimulator;
let gateway: GraphCalendarGateway;
let tenantId: string;
const sleeps: number[] = [];

const alice = (): MailboxRef => ({ tenantId, userId: 'alice@contoso.example' });
const bjorn = (): MailboxRef => ({ tenantId, userId: 'bjorn@contoso.example' });

async function control(path: string, body: unknown = {}): Promise<unknown> {
  const response = await fetch(`${simulator.baseUrl}/_control${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return response.status === 204 ? undefined : response.json();
}

interface SimulatorStats {
  mailboxes: Record<
    string,
    { requests: number; peakInFlight: number; throttled: number; byOperation: Record<string, number> }
  >;
}

async function stats(): Promise<SimulatorStats> {
  return (await (await fetch(`${simulator.baseUrl}/_control/stats`)).json()) as SimulatorStats;
}

function buildEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: 'Quarterly review',
    body: { contentType: 'html', content: '<p>Agenda</p>' },
    start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
    location: { displayName: '@webex' },
    attendees: [{ emailAddress: { address: 'bjorn@contoso.example' }, type: 'required' }],
    ...overrides,
  };
}

beforeAll(async () => {
  simulator = await startTestGraphSimulator({ delivery: { retryDelaysMs: [50, 100], batchWindowMs: 10 } });
  tenantId = simulator.tenant.tenantId;
  // Production's attempts, shorter pauses. Injected faults come from TEST_FAULT_SEED, so a run
  // replays exactly; at the storm's rate a call meets six 429s in a row at 0.1^6 (about one seed in
  // 5,000 fails one of its 200 calls): the production policy's real margin, not a raised budget.
  gateway = buildGatewayFor(simulator, {
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
});

// Injected 429s are drawn from TEST_FAULT_SEED, afresh for each test; a failure prints the seed.
seedFaultsForEachTest(() => [simulator]);

afterEach(async () => {
  await control('/faults', { throttleRate: 0, serverErrorRate: 0, latencyMs: 0, retryAfterSeconds: 1 });
});

afterAll(async () => {
  await simulator?.stop();
});

describe('GraphCalendarGateway against the Graph simulator', () => {
  it('when an event is created, read, updated with its etag and deleted, then each step has Graph’s shape', async () => {
    const created = await gateway.createEvent(alice(), buildEvent());
    const read = await gateway.getEvent(alice(), created.id);
    const updated = await gateway.updateEvent(
      alice(),
      created.id,
      { subject: 'Quarterly review (moved)' },
      { ifMatch: read['@odata.etag'] ?? '' },
    );
    await expect(
      gateway.updateEvent(alice(), created.id, { subject: 'again' }, { ifMatch: read['@odata.etag'] ?? '' }),
    ).rejects.toMatchObject({ code: 'precondition-failed', status: 412 });
    await gateway.deleteEvent(alice(), created.id);

    expect(created).toMatchObject({
      subject: 'Quarterly review',
      isOrganizer: true,
      type: 'singleInstance',
      start: { timeZone: 'UTC' },
    });
    expect(read.start?.dateTime).toBe('2026-11-24T09:00:00.0000000');
    expect(updated.subject).toBe('Quarterly review (moved)');
    expect(updated.changeKey).not.toBe(read.changeKey);
    await expect(gateway.getEvent(alice(), created.id)).rejects.toMatchObject({
      code: 'not-found',
      graphCode: 'ErrorItemNotFound',
    });
  });

  it('when Graph refuses, then the error carries Graph’s code and request id', async () => {
    const failure = await gateway.getEvent(alice(), 'AAMkAG-missing=').catch((error: unknown) => error);

    expect(isGraphRequestError(failure)).toBe(true);
    expect(failure).toMatchObject({ status: 404, graphCode: 'ErrorItemNotFound', code: 'not-found' });
    expect((failure as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when an extended property is written, then it can be read back with $expand', async () => {
    const propertyId = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name HybridCalendarMarker';
    const created = await gateway.createEvent(
      alice(),
      buildEvent({ singleValueExtendedProperties: [{ id: propertyId, value: 'hash-1' }] }),
    );

    const read = await gateway.getEvent(alice(), created.id, { extendedPropertyIds: [propertyId] });
    const plain = await gateway.getEvent(alice(), created.id);

    expect(read.singleValueExtendedProperties).toEqual([{ id: propertyId, value: 'hash-1' }]);
    expect(plain.singleValueExtendedProperties).toBeUndefined();
  });

  it('when an organiser invites a colleague, then the colleague’s copy exists and their answer reaches the organiser', async () => {
    const created = await gateway.createEvent(alice(), buildEvent({ subject: 'Copy test' }));
    const window = { from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };
    const copy = (await gateway.calendarView(bjorn(), window)).find((event) => event.subject === 'Copy test');

    await gateway.respondToEvent(bjorn(), copy?.id ?? '', 'tentativelyAccept', { comment: 'maybe' });
    const organizers = await gateway.getEvent(alice(), created.id);

    expect(copy).toMatchObject({ isOrganizer: false, iCalUId: created.iCalUId });
    expect(organizers.attendees?.[0]?.status?.response).toBe('tentativelyAccepted');
  });

  it('when a weekly series has an exception and a cancelled occurrence, then instances reflect both', async () => {
    const series = await gateway.createEvent(
      alice(),
      buildEvent({
        subject: 'Weekly sync',
        start: { dateTime: '2026-11-23T14:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-11-23T14:30:00', timeZone: 'W. Europe Standard Time' },
        recurrence: {
          pattern: {
            type: 'weekly',
            interval: 1,
            daysOfWeek: ['monday', 'thursday'],
            firstDayOfWeek: 'monday',
          },
          range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 6 },
        },
      }),
    );
    const window = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') };
    const [first, second, third] = await gateway.listInstances(alice(), series.id, window);

    await gateway.updateEvent(alice(), second?.id ?? '', {
      subject: 'Weekly sync (moved)',
      start: { dateTime: '2026-11-26T15:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-26T15:30:00', timeZone: 'UTC' },
    });
    await gateway.deleteEvent(alice(), third?.id ?? '');
    const instances = await gateway.listInstances(alice(), series.id, window);

    expect(series.type).toBe('seriesMaster');
    expect(first?.start?.dateTime).toBe('2026-11-23T13:00:00.0000000');
    expect(instances).toHaveLength(5);
    expect(instances.map((instance) => instance.type)).toEqual([
      'occurrence',
      'exception',
      'occurrence',
      'occurrence',
      'occurrence',
    ]);
    expect(instances[1]).toMatchObject({ subject: 'Weekly sync (moved)', seriesMasterId: series.id });
    expect(instances.map((instance) => instance.start?.dateTime.slice(0, 10))).not.toContain('2026-11-30');
  });

  it('when a daily series has more occurrences than a page holds, then every page is followed', async () => {
    const series = await gateway.createEvent(
      bjorn(),
      buildEvent({
        subject: 'Daily standup',
        attendees: [],
        start: { dateTime: '2027-01-01T08:00:00', timeZone: 'UTC' },
        end: { dateTime: '2027-01-01T08:15:00', timeZone: 'UTC' },
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'endDate', startDate: '2027-01-01', endDate: '2027-06-30' },
        },
      }),
    );

    const instances = await gateway.listInstances(bjorn(), series.id, {
      from: new Date('2027-01-01T00:00:00Z'),
      to: new Date('2027-07-01T00:00:00Z'),
    });

    expect(instances).toHaveLength(181);
    expect(new Set(instances.map((instance) => instance.id)).size).toBe(181);
  });

  it('when a delta round follows changes, then it returns changed and removed events, and 410 after invalidation', async () => {
    const mailbox: MailboxRef = { tenantId, userId: 'kenji@contoso.example' };
    const window = { from: new Date('2026-11-15T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') };
    const kept = await gateway.createEvent(mailbox, buildEvent({ subject: 'kept', attendees: [] }));
    const doomed = await gateway.createEvent(mailbox, buildEvent({ subject: 'doomed', attendees: [] }));
    const initial = await gateway.calendarDelta(mailbox, { window });

    await gateway.updateEvent(mailbox, kept.id, { subject: 'kept and changed' });
    await gateway.deleteEvent(mailbox, doomed.id);
    const next = await gateway.calendarDelta(mailbox, { deltaLink: initial.deltaLink });
    await control('/mailboxes/kenji@contoso.example/invalidate-delta');
    const expired = gateway.calendarDelta(mailbox, { deltaLink: next.deltaLink });

    expect(initial.events.map((event) => event.subject).sort()).toEqual(['doomed', 'kept']);
    expect(next.events.map((event) => event.subject)).toEqual(['kept and changed']);
    expect(next.removedIds).toEqual([doomed.id]);
    await expect(expired).rejects.toMatchObject({ code: 'sync-state-expired', status: 410 });
    const fresh = await gateway.calendarDelta(mailbox, { window });
    expect(fresh.events.map((event) => event.subject)).toEqual(['kept and changed']);
  });

  it('when Graph throttles a storm of reads, then every call succeeds, at most 4 run per mailbox and Retry-After is honoured', async () => {
    await control('/stats/reset');
    await control('/faults', { throttleRate: 0.1, retryAfterSeconds: 0.05, latencyMs: 5 });
    sleeps.length = 0;
    const mailboxes = ['alice', 'bjorn', 'ayse', 'kenji'].map(
      (name): MailboxRef => ({ tenantId, userId: `${name}@contoso.example` }),
    );

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        gateway.getMailboxSettings(mailboxes[index % mailboxes.length] as MailboxRef),
      ),
    );
    const { mailboxes: perMailbox } = await stats();

    expect(results).toHaveLength(200);
    expect(results.every((settings) => typeof settings.timeZone === 'string')).toBe(true);
    const throttled = Object.values(perMailbox).reduce((sum, mailbox) => sum + mailbox.throttled, 0);
    expect(throttled).toBeGreaterThan(0);
    for (const mailbox of Object.values(perMailbox)) expect(mailbox.peakInFlight).toBeLessThanOrEqual(4);
    expect(sleeps.length).toBeGreaterThanOrEqual(throttled);
    expect(Math.min(...sleeps)).toBeGreaterThanOrEqual(50);
  });

  it('when Graph keeps throttling past the retry budget, then the call fails as throttled', async () => {
    await control('/faults', { throttleRate: 1, retryAfterSeconds: 0.01 });

    await expect(gateway.getMailboxSettings(alice())).rejects.toMatchObject({
      code: 'throttled',
      status: 429,
    });
  });

  it('when a mailbox left Exchange Online, then calls fail with mailbox-gone', async () => {
    await control('/mailboxes/ayse@contoso.example/gone');
    try {
      await expect(
        gateway.getMailboxSettings({ tenantId, userId: 'ayse@contoso.example' }),
      ).rejects.toMatchObject({
        code: 'mailbox-gone',
        graphCode: 'MailboxNotEnabledForRESTAPI',
      });
    } finally {
      await control('/mailboxes/ayse@contoso.example/restore');
    }
  });

  it('when free/busy is asked for, then each schedule has an availability view, and an unknown address an error', async () => {
    await gateway.createEvent(
      alice(),
      buildEvent({
        subject: 'Busy block',
        start: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
        end: { dateTime: '2026-12-01T11:00:00', timeZone: 'UTC' },
        attendees: [],
      }),
    );

    const schedules = await gateway.getSchedule(
      alice(),
      ['alice@contoso.example', 'nobody@contoso.example'],
      { from: new Date('2026-12-01T09:00:00Z'), to: new Date('2026-12-01T12:00:00Z') },
      60,
    );

    expect(schedules[0]).toMatchObject({ scheduleId: 'alice@contoso.example', availabilityView: '020' });
    expect(schedules[1]?.error?.responseCode).toBe('ErrorMailRecipientNotFound');
  });

  it('when directory data is read, then users, domains and the Global Administrator check work', async () => {
    expect((await gateway.listUsers(tenantId)).map((user) => user.mail)).toContain(
      'boardroom@contoso.example',
    );
    expect((await gateway.listDomains(tenantId)).find((domain) => domain.isDefault)?.id).toBe(
      'contoso.example',
    );
    expect(await gateway.isGlobalAdministrator(tenantId, '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01')).toBe(true);
    expect(await gateway.isGlobalAdministrator(tenantId, '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02')).toBe(false);
  });
});

describe('subscriptions through the gateway', () => {
  let receiver: Server;
  let receiverUrl: string;
  const notifications: unknown[] = [];
  const lifecycle: unknown[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const token = url.searchParams.get('validationToken');
      if (token) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(token);
        return;
      }
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        (url.pathname === '/lifecycle' ? lifecycle : notifications).push(JSON.parse(body));
        response.writeHead(202);
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('when a subscription is created, renewed, listed, duplicated and deleted, then Graph answers each as documented', async () => {
    const expiration = new Date(simulator.clock.now().getTime() + 3 * 86_400_000);
    const subscription = await gateway.createSubscription(tenantId, {
      resource: `/users/${'1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03'}/events`,
      changeType: 'created,updated,deleted',
      notificationUrl: `${receiverUrl}/notifications`,
      lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
      expirationDateTime: expiration,
      clientState: 'nonce.signature',
    });
    const duplicate = gateway.createSubscription(tenantId, {
      resource: `/users/${'1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03'}/events`,
      changeType: 'created,updated,deleted',
      notificationUrl: `${receiverUrl}/notifications`,
      lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
      expirationDateTime: expiration,
      clientState: 'nonce.signature',
    });
    await expect(duplicate).rejects.toMatchObject({ code: 'already-exists', status: 409 });

    await gateway.createEvent(
      { tenantId, userId: 'ayse@contoso.example' },
      buildEvent({ subject: 'Notify me', attendees: [] }),
    );
    await expect.poll(() => notifications.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const renewed = await gateway.renewSubscription(
      tenantId,
      subscription.id,
      new Date(simulator.clock.now().getTime() + 6 * 86_400_000),
    );
    await fetch(`${simulator.baseUrl}/_control/subscriptions/${subscription.id}/lifecycle`, {
      method: 'POST',
      body: JSON.stringify({ lifecycleEvent: 'missed' }),
    });
    await gateway.reauthorizeSubscription(tenantId, subscription.id);
    const listed = await gateway.listSubscriptions(tenantId);
    await gateway.deleteSubscription(tenantId, subscription.id);

    expect(subscription).toMatchObject({
      changeType: 'created,updated,deleted',
      clientState: 'nonce.signature',
    });
    expect(notifications[0]).toMatchObject({
      value: [{ subscriptionId: subscription.id, changeType: 'created', clientState: 'nonce.signature' }],
    });
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(
      Date.parse(subscription.expirationDateTime),
    );
    expect(lifecycle).toEqual([
      { value: [expect.objectContaining({ subscriptionId: subscription.id, lifecycleEvent: 'missed' })] },
    ]);
    expect(listed.map((item) => item.id)).toContain(subscription.id);
    await expect(
      gateway.renewSubscription(
        tenantId,
        subscription.id,
        new Date(simulator.clock.now().getTime() + 86_400_000),
      ),
    ).rejects.toMatchObject({ code: 'not-found' });
  });

  it('when the endpoint fails the validation handshake, then the subscription is refused', async () => {
    await expect(
      gateway.createSubscription(tenantId, {
        resource: '/users/kenji@contoso.example/events',
        changeType: 'created',
        notificationUrl: 'http://127.0.0.1:9/unreachable',
        lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
        expirationDateTime: new Date(simulator.clock.now().getTime() + 86_400_000),
        clientState: 'x',
      }),
    ).rejects.toMatchObject({ code: 'request-rejected', graphCode: 'ValidationError' });
  });

  it('when renewals go through $batch with throttled steps, then every renewal ends in 200', async () => {
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        gateway.createSubscription(tenantId, {
          resource: '/users/bjorn@contoso.example/events',
          changeType: 'created,updated,deleted',
          notificationUrl: `${receiverUrl}/notifications?n=${index}`,
          lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
          expirationDateTime: new Date(simulator.clock.now().getTime() + 86_400_000),
          clientState: `state-${index}`,
        }),
      ),
    );
    await control('/faults', { throttleRate: 0.3, retryAfterSeconds: 0.02 });
    await control('/stats/reset');

    const results = await gateway.batch(
      tenantId,
      created.map((subscription) => ({
        id: subscription.id,
        method: 'PATCH' as const,
        url: `/subscriptions/${subscription.id}`,
        body: {
          expirationDateTime: new Date(simulator.clock.now().getTime() + 5 * 86_400_000).toISOString(),
        },
      })),
    );

    expect(results.size).toBe(30);
    expect([...results.values()].every((result) => result.status === 200)).toBe(true);
  });
});

describe('GraphCalendarGateway against answers and ids Graph never gives', () => {
  let offSchemaGraph: Server;
  let offSchemaGateway: GraphCalendarGateway;
  let requestsSeen = 0;

  beforeAll(async () => {
    // A stand-in for Graph whose event has a number for its id: the same answer every time.
    offSchemaGraph = createServer((_request, response) => {
      requestsSeen += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 42, subject: 'off schema' }));
    });
    await new Promise<void>((resolve) => offSchemaGraph.listen(0, '127.0.0.1', () => resolve()));
    offSchemaGateway = new GraphCalendarGateway({
      graphBaseUrl: `http://127.0.0.1:${(offSchemaGraph.address() as AddressInfo).port}/v1.0`,
      clock: simulator.clock,
      jitter: seededJitter(faultSeed),
      tokens: { appToken: async () => 'token' },
      sleep: async () => undefined,
    });
  });

  afterAll(async () => {
    offSchemaGraph.closeAllConnections();
    await new Promise((resolve) => offSchemaGraph.close(resolve));
  });

  it('when Graph answers with a body that fails its schema, then the message is dead-lettered at its first delivery with the reason', async () => {
    const definition: QueueFunctionDefinition<GraphCalendarGateway> = {
      kind: 'queue',
      name: 'readEvent',
      queueName: 'event-changes',
      async handle(_message, graph) {
        await graph.getEvent({ tenantId: 't', userId: 'u' }, 'AAMkAGI=');
        return { outcome: 'complete' };
      },
    };
    const message = {
      body: {},
      messageId: 'm-1',
      deliveryCount: 1,
      enqueuedTime: undefined,
      applicationProperties: {},
    };

    const settlement = await settleQueueMessage(
      definition,
      message,
      offSchemaGateway,
      buildInvocationContext(),
    );

    expect(settlement).toMatchObject({
      outcome: 'dead-letter',
      reason: 'unexpected-response',
      description: expect.stringContaining('did not match its schema'),
    });
    expect(requestsSeen).toBe(1);
  });

  it('when Graph’s answer to a read by principal name fails its schema, then the error names the route, not the address', async () => {
    const failure = await offSchemaGateway.getUser('t', 'olga.o@contoso.example').catch((e) => e);

    expect(isGraphRequestError(failure)).toBe(true);
    expect(failure.message).toContain("GET /users/{id}: Graph's answer did not match its schema");
    expect(failure.message).not.toMatch(/olga/i);
  });

  it.each(['.', '..', 'AAMk/../../me', 'AAMk?$select=id', 'AAMk%2F'])(
    'when an event id is %s, then it is refused as input-invalid before any request is sent',
    async (eventId) => {
      const before = requestsSeen;

      const failure = await offSchemaGateway
        .getEvent({ tenantId: 't', userId: 'u' }, eventId)
        .catch((e) => e);
      const patchFailure = await offSchemaGateway
        .updateEvent({ tenantId: 't', userId: 'u' }, eventId, { subject: 'x' })
        .catch((e) => e);

      expect(failure).toMatchObject({ code: 'input-invalid', transient: false });
      expect(patchFailure).toMatchObject({ code: 'input-invalid', transient: false });
      expect(requestsSeen).toBe(before);
    },
  );

  it.each(['..', '.', 'u/../../subscriptions', ''])(
    'when a user id is %j, then it is refused as input-invalid before any request is sent',
    async (userId) => {
      const before = requestsSeen;

      const failure = await offSchemaGateway.getEvent({ tenantId: 't', userId }, 'AAMkAGI=').catch((e) => e);

      expect(failure).toMatchObject({ code: 'input-invalid', transient: false });
      expect(requestsSeen).toBe(before);
    },
  );
});
