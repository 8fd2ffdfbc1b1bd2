import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { GraphMetadata } from '../support/graphMetadata.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

/** The `value` array of a collection answer (empty when there is none). */
function valuesOf(response: { body?: Record<string, unknown> | undefined }): unknown[] {
  const value = response.body?.value;
  return Array.isArray(value) ? value : [];
}

// Every shape the simulator returns, checked against Graph's official v1.0 metadata: property names
// must exist on the declared type, primitives must have the declared type, enums known members.
// The requests are plain HTTP, as any client would send them, so our adapter is not what is checked.
// The metadata is the slice checked in under test/fixtures/graph/ (every type named below and what it
// reaches); a missing or broken fixture fails these tests, it never skips them.
describe('the Graph simulator against Graph v1.0 metadata', () => {
  let metadata: GraphMetadata;
  let simulator: GraphSimulator;
  let headers: Record<string, string>;
  let receiver: Server;
  let receiverUrl: string;
  const received: unknown[] = [];

  async function graph(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ) {
    const response = await fetch(`${simulator.graphUrl}${path}`, {
      method,
      headers: { ...headers, ...extraHeaders },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body:
        response.status === 204 || response.status === 202
          ? undefined
          : ((await response.json()) as Record<string, unknown>),
    };
  }

  // Loaded before each test rather than in beforeAll: a missing or corrupt fixture then fails every test
  // here with the error naming the file, where a failing beforeAll would leave them reported as skipped.
  beforeEach(() => {
    metadata ??= GraphMetadata.load();
  });

  beforeAll(async () => {
    simulator = await startTestGraphSimulator({ delivery: { batchWindowMs: 5 } });
    headers = {
      authorization: `Bearer ${await simulator.identity.issueAppToken()}`,
      'content-type': 'application/json',
    };
    receiver = createServer((request, response) => {
      const token = new URL(request.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token) return response.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        received.push(JSON.parse(text));
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    receiver?.closeAllConnections();
    receiver?.close();
    await simulator?.stop();
  });

  it('when a shape breaks the metadata, then the checker reports every break (so a pass means something)', () => {
    expect(
      metadata.violations('event', {
        bogus: 1,
        subject: 3,
        showAs: 'nope',
        start: { dateTime: 1 },
        attendees: {},
      }),
    ).toEqual([
      'event.bogus: not a property of microsoft.graph.event',
      'event.subject: 3 is not Edm.String',
      "event.showAs: 'nope' is not a member of freeBusyStatus",
      'event.start.dateTime: 1 is not Edm.String',
      'event.attendees: expected an array for Collection(graph.attendee)',
    ]);
  });

  it('when events are created, read, expanded, listed and expanded into instances, then every event matches microsoft.graph.event', async () => {
    const propertyId = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Marker';
    const created = await graph('POST', '/users/alice@contoso.example/events', {
      subject: 'Contract',
      body: { contentType: 'html', content: '<p>x</p>' },
      start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
      location: { displayName: '@webex' },
      attendees: [
        { emailAddress: { address: 'bjorn@contoso.example' }, type: 'required' },
        { emailAddress: { address: 'boardroom@contoso.example' }, type: 'resource' },
      ],
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'] },
        range: { type: 'numbered', startDate: '2026-11-24', numberOfOccurrences: 3 },
      },
      singleValueExtendedProperties: [{ id: propertyId, value: 'v' }],
    });
    const id = String(created.body?.id);
    const read = await graph(
      'GET',
      `/users/alice@contoso.example/events/${id}?$expand=singleValueExtendedProperties($filter=id eq '${propertyId}')`,
    );
    const instances = await graph(
      'GET',
      `/users/alice@contoso.example/events/${id}/instances?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-12-31T00:00:00Z`,
    );
    const view = await graph(
      'GET',
      '/users/bjorn@contoso.example/calendarView?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-12-31T00:00:00Z',
      undefined,
      { Prefer: 'outlook.timezone="Pacific Standard Time"' },
    );
    const delta = await graph(
      'GET',
      '/users/alice@contoso.example/calendarView/delta?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-12-31T00:00:00Z',
    );

    expect(created.status).toBe(201);
    const events = [
      created.body,
      read.body,
      ...(valuesOf(instances) as unknown[]),
      ...(valuesOf(view) as unknown[]),
      ...(valuesOf(delta) as unknown[]),
    ];
    expect(events.length).toBeGreaterThan(6);
    expect(events.flatMap((event) => metadata.violations('event', event))).toEqual([]);
    expect(
      ((read.body?.singleValueExtendedProperties ?? []) as unknown[]).flatMap((p) =>
        metadata.violations('singleValueLegacyExtendedProperty', p),
      ),
    ).toEqual([]);
  });

  it('when users, domains, role assignments and directory roles are read, then each matches its type', async () => {
    const users = await graph('GET', '/users');
    const user = await graph('GET', '/users/alice@contoso.example');
    const domains = await graph('GET', '/domains');
    const assignments = await graph(
      'GET',
      "/roleManagement/directory/roleAssignments?$filter=principalId eq '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01'",
    );
    const roles = await graph('GET', '/users/alice@contoso.example/memberOf');

    expect(
      [...(valuesOf(users) as unknown[]), user.body].flatMap((entity) => metadata.violations('user', entity)),
    ).toEqual([]);
    expect(
      (valuesOf(domains) as unknown[]).flatMap((entity) => metadata.violations('domain', entity)),
    ).toEqual([]);
    expect(
      (valuesOf(assignments) as unknown[]).flatMap((entity) =>
        metadata.violations('unifiedRoleAssignment', entity),
      ),
    ).toEqual([]);
    expect(
      (valuesOf(roles) as unknown[]).flatMap((entity) => metadata.violations('directoryRole', entity)),
    ).toEqual([]);
    expect(assignments.body?.value).toHaveLength(1);
  });

  it('when mailbox settings and free/busy are read, then they match mailboxSettings and scheduleInformation', async () => {
    const patched = await graph('PATCH', '/users/ayse@contoso.example/mailboxSettings', {
      automaticRepliesSetting: {
        status: 'scheduled',
        scheduledStartDateTime: { dateTime: '2026-12-01T00:00:00', timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: '2026-12-05T00:00:00', timeZone: 'UTC' },
      },
    });
    const settings = await graph('GET', '/users/ayse@contoso.example/mailboxSettings');
    const schedule = await graph('POST', '/users/alice@contoso.example/calendar/getSchedule', {
      schedules: ['alice@contoso.example', 'bjorn@contoso.example', 'nobody@contoso.example'],
      startTime: { dateTime: '2026-11-24T08:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-24T12:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 30,
    });

    expect(patched.status).toBe(200);
    expect(metadata.violations('mailboxSettings', settings.body)).toEqual([]);
    expect(settings.body?.automaticRepliesSetting).toMatchObject({ status: 'scheduled' });
    expect(
      (valuesOf(schedule) as unknown[]).flatMap((entity) =>
        metadata.violations('scheduleInformation', entity),
      ),
    ).toEqual([]);
  });

  it('when a subscription is created and notifies, then the subscription and the notifications match their types', async () => {
    const created = await graph('POST', '/subscriptions', {
      changeType: 'created,updated,deleted',
      notificationUrl: `${receiverUrl}/notify`,
      lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
      resource: '/users/kenji@contoso.example/events',
      expirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
      clientState: 'state',
    });
    await graph('POST', '/users/kenji@contoso.example/events', {
      subject: 'n',
      start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
    });
    await expect.poll(() => received.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await fetch(`${simulator.baseUrl}/_control/subscriptions/${String(created.body?.id)}/lifecycle`, {
      method: 'POST',
      body: JSON.stringify({ lifecycleEvent: 'reauthorizationRequired' }),
    });

    expect(metadata.violations('subscription', created.body)).toEqual([]);
    expect(received.length).toBe(2);
    expect(
      received.flatMap((payload) => metadata.violations('changeNotificationCollection', payload)),
    ).toEqual([]);
  });
});

describe('the Graph simulator refusing bad input as Graph does', () => {
  let simulator: GraphSimulator;
  let token: string;

  beforeAll(async () => {
    simulator = await startTestGraphSimulator();
    token = await simulator.identity.issueAppToken();
  });

  afterAll(async () => {
    await simulator?.stop();
  });

  async function send(path: string, body: string, auth = `Bearer ${token}`) {
    const response = await fetch(`${simulator.graphUrl}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        error?: { code: string; message: string; innerError?: Record<string, string> };
      },
    };
  }

  it('when the JSON is malformed, then the answer is Graph’s 400 error shape', async () => {
    const { status, body } = await send('/users/alice@contoso.example/events', '{"subject": ');

    expect(status).toBe(400);
    expect(body.error?.code).toBe('BadRequest');
    expect(body.error?.innerError?.['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a property is unknown or of the wrong type, then the answer is a 400 naming it', async () => {
    const unknown = await send('/users/alice@contoso.example/events', JSON.stringify({ subjekt: 'x' }));
    const wrongType = await send(
      '/users/alice@contoso.example/events',
      JSON.stringify({
        subject: 42,
        start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
        end: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
      }),
    );

    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'RequestBodyRead' } } });
    expect(unknown.body.error?.message).toContain('subjekt');
    expect(wrongType).toMatchObject({ status: 400, body: { error: { code: 'RequestBodyRead' } } });
    expect(wrongType.body.error?.message).toContain('subject');
  });

  it('when clientState is over 128 characters, then the subscription is refused with a 400', async () => {
    const { status, body } = await send(
      '/subscriptions',
      JSON.stringify({
        changeType: 'created',
        notificationUrl: 'https://127.0.0.1:9/n',
        resource: '/users/alice@contoso.example/events',
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        clientState: 'x'.repeat(129),
      }),
    );

    expect(status).toBe(400);
    expect(body.error?.message).toContain('128');
  });

  it('when the expiration is beyond 10,080 minutes, then the subscription is refused with a 400', async () => {
    const { status } = await send(
      '/subscriptions',
      JSON.stringify({
        changeType: 'created',
        notificationUrl: 'https://127.0.0.1:9/n',
        resource: '/users/alice@contoso.example/events',
        expirationDateTime: new Date(Date.now() + 10_081 * 60_000 + 120_000).toISOString(),
      }),
    );

    expect(status).toBe(400);
  });

  it('when the token is missing, forged or expired, then Graph answers 401 InvalidAuthenticationToken', async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const expired = await simulator.identity.issueAppToken(undefined, -120);

    for (const auth of ['', `Bearer ${forged}`, `Bearer ${expired}`]) {
      const { status, body } = await send('/users/alice@contoso.example/events', '{}', auth);
      expect(status).toBe(401);
      expect(body.error?.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('when a batch has more than 20 requests, then it is refused with a 400', async () => {
    const requests = Array.from({ length: 21 }, (_, index) => ({
      id: String(index),
      method: 'GET',
      url: '/users',
    }));
    const { status } = await send('/$batch', JSON.stringify({ requests }));

    expect(status).toBe(400);
  });

  it('when a batch step depends on a failed one, then it is answered 424 and the others run', async () => {
    const { status, body } = await send(
      '/$batch',
      JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/users/nobody@contoso.example' },
          { id: '2', method: 'GET', url: '/users/alice@contoso.example', dependsOn: ['1'] },
          { id: '3', method: 'GET', url: '/domains' },
        ],
      }),
    );
    const responses = (body as unknown as { responses: Array<{ id: string; status: number }> }).responses;

    expect(status).toBe(200);
    expect(responses.map((response) => [response.id, response.status])).toEqual([
      ['1', 404],
      ['2', 424],
      ['3', 200],
    ]);
  });
});
