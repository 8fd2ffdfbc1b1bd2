import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

/** The `value` array of a collection answer (empty when there is none). */
function valuesOf(response: { body?: Record<string, unknown> | undefined }): unknown[] {
  const value = response.body?.value;
  return Array.isArray(value) ? value : [];
}

// Behaviour of the simulator that the service depends on and that Graph documents: notification
// retries and expiry, body rendering preferences, attendee copies following the organiser.
let simulator: GraphSimulator;
let headers: Record<string, string>;
let receiver: Server;
let receiverUrl: string;
let failuresToServe = 0;
const deliveries: Array<{
  value: Array<{ subscriptionId: string; changeType: string; resourceData: { id: string } }>;
}> = [];

async function graph(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const response = await fetch(`${simulator.graphUrl}${path}`, {
    method,
    headers: { ...headers, ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

const slot = (day: number) => ({
  start: { dateTime: `2026-12-${String(day).padStart(2, '0')}T09:00:00`, timeZone: 'UTC' },
  end: { dateTime: `2026-12-${String(day).padStart(2, '0')}T10:00:00`, timeZone: 'UTC' },
});

async function subscribe(userId: string): Promise<string> {
  const created = await graph('POST', '/subscriptions', {
    changeType: 'created,updated,deleted',
    notificationUrl: `${receiverUrl}/notify`,
    lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
    resource: `/users/${userId}/events`,
    expirationDateTime: new Date(simulator.clock.now().getTime() + 3_600_000).toISOString(),
    clientState: 'state',
  });
  return String(created.body?.id);
}

seedFaultsForEachTest(() => [simulator]);

beforeAll(async () => {
  simulator = await startTestGraphSimulator({ delivery: { retryDelaysMs: [30, 60, 120], batchWindowMs: 5 } });
  headers = {
    authorization: `Bearer ${await simulator.identity.issueAppToken(undefined, 86_400 * 10)}`,
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
      if (failuresToServe > 0) {
        failuresToServe -= 1;
        return response.writeHead(500).end();
      }
      deliveries.push(JSON.parse(text));
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

describe('Graph simulator behaviour', () => {
  it('when the receiver fails twice, then the notification is retried with backoff and arrives once', async () => {
    const subscriptionId = await subscribe('alice@contoso.example');
    deliveries.length = 0;
    failuresToServe = 2;

    const created = await graph('POST', '/users/alice@contoso.example/events', {
      subject: 'retry me',
      ...slot(1),
    });
    await expect.poll(() => deliveries.length, { timeout: 5_000 }).toBe(1);

    expect(deliveries[0]?.value).toEqual([
      expect.objectContaining({
        subscriptionId,
        changeType: 'created',
        resourceData: expect.objectContaining({ id: created.body?.id }),
      }),
    ]);
    expect(simulator.subscriptions.stats.failedAttempts).toBeGreaterThanOrEqual(2);
    await graph('DELETE', `/subscriptions/${subscriptionId}`);
  });

  it('when several changes happen within one batch window, then they arrive batched in one notification', async () => {
    const subscriptionId = await subscribe('ayse@contoso.example');
    deliveries.length = 0;
    // Held, so that "within one window" does not depend on how fast this machine makes three events.
    simulator.subscriptions.hold();

    await Promise.all(
      [1, 2, 3].map((day) =>
        graph('POST', '/users/ayse@contoso.example/events', { subject: `batch ${day}`, ...slot(day) }),
      ),
    );
    simulator.subscriptions.release();
    await simulator.subscriptions.settle();

    expect(deliveries.flatMap((delivery) => delivery.value)).toHaveLength(3);
    expect(deliveries).toHaveLength(1);
    await graph('DELETE', `/subscriptions/${subscriptionId}`);
  });

  it('when a subscription has expired, then nothing is delivered and it is gone', async () => {
    const subscriptionId = await subscribe('kenji@contoso.example');
    deliveries.length = 0;
    await fetch(`${simulator.baseUrl}/_control/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 2 * 3_600_000 }),
    });

    await graph('POST', '/users/kenji@contoso.example/events', { subject: 'after expiry', ...slot(4) });
    await fetch(`${simulator.baseUrl}/_control/notifications/settle`, { method: 'POST' });

    expect(deliveries).toEqual([]);
    expect((await graph('GET', `/subscriptions/${subscriptionId}`)).status).toBe(404);
  });

  it('when text bodies are preferred, then HTML is rendered as text and the preference is acknowledged', async () => {
    const created = await graph('POST', '/users/bjorn@contoso.example/events', {
      subject: 'Body',
      body: { contentType: 'html', content: '<p>Join: <b>here</b></p><script>x()</script>' },
      ...slot(5),
    });

    const read = await graph(
      'GET',
      `/users/bjorn@contoso.example/events/${String(created.body?.id)}`,
      undefined,
      { Prefer: 'outlook.body-content-type="text"' },
    );

    expect(read.body?.body).toEqual({ contentType: 'text', content: 'Join: here' });
    expect(read.headers.get('preference-applied')).toBe('outlook.body-content-type="text"');
  });

  it('when the organiser deletes a meeting, then attendees’ copies are cancelled; a decline removes the copy', async () => {
    const meeting = await graph('POST', '/users/alice@contoso.example/events', {
      subject: 'Team',
      attendees: [
        { emailAddress: { address: 'bjorn@contoso.example' } },
        { emailAddress: { address: 'ayse@contoso.example' } },
      ],
      ...slot(7),
    });
    const window = 'startDateTime=2026-12-07T00:00:00Z&endDateTime=2026-12-08T00:00:00Z';
    const copyOf = async (user: string) =>
      (
        valuesOf(await graph('GET', `/users/${user}/calendarView?${window}`)) as Array<
          Record<string, unknown>
        >
      ).find((event) => String(event.subject).includes('Team'));

    await graph(
      'POST',
      `/users/ayse@contoso.example/events/${String((await copyOf('ayse@contoso.example'))?.id)}/decline`,
      { sendResponse: true },
    );
    const organizer = await graph('GET', `/users/alice@contoso.example/events/${String(meeting.body?.id)}`);
    await graph('DELETE', `/users/alice@contoso.example/events/${String(meeting.body?.id)}`);

    expect(await copyOf('ayse@contoso.example')).toBeUndefined();
    expect(
      (organizer.body?.attendees as Array<{ status: { response: string } }> | undefined)?.[1]?.status
        .response,
    ).toBe('declined');
    expect(await copyOf('bjorn@contoso.example')).toMatchObject({
      isCancelled: true,
      subject: 'Canceled: Team',
    });
  });

  it('when injected 5xx and latency are set, then requests see them and the control API reports them', async () => {
    await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ serverErrorRate: 1, latencyMs: 20 }),
    });
    const failed = await graph('GET', '/users/alice@contoso.example/mailboxSettings');
    await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ serverErrorRate: 0 }),
    });
    const started = performance.now();
    const slow = await graph('GET', '/users/alice@contoso.example/mailboxSettings');
    const elapsed = performance.now() - started;
    await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 0 }),
    });

    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(slow.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(20);
    const invalid = await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttleRate: 2 }),
    });
    expect(invalid.status).toBe(400);
  });

  it('when events are filtered by an extended property and fields selected, then only matches come back with those fields', async () => {
    const propertyId = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Marker';
    await graph('POST', '/users/kenji@contoso.example/events', {
      subject: 'marked',
      ...slot(9),
      singleValueExtendedProperties: [{ id: propertyId, value: 'yes' }],
    });
    await graph('POST', '/users/kenji@contoso.example/events', { subject: 'unmarked', ...slot(9) });
    const filter = encodeURIComponent(
      `singleValueExtendedProperties/any(ep: ep/id eq '${propertyId}' and ep/value eq 'yes')`,
    );

    const found = await graph('GET', `/users/kenji@contoso.example/events?$filter=${filter}&$select=subject`);

    expect(valuesOf(found)).toEqual([
      { '@odata.etag': expect.any(String), id: expect.any(String), subject: 'marked' },
    ]);
  });

  it('when notifications are set to drop, then none arrive and the control API counts them', async () => {
    const subscriptionId = await subscribe('bjorn@contoso.example');
    deliveries.length = 0;
    await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ dropNotificationRate: 1 }),
    });
    const droppedBefore = simulator.subscriptions.stats.dropped;

    await graph('POST', '/users/bjorn@contoso.example/events', { subject: 'lost', ...slot(10) });
    await fetch(`${simulator.baseUrl}/_control/notifications/settle`, { method: 'POST' });
    await fetch(`${simulator.baseUrl}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ dropNotificationRate: 0 }),
    });

    expect(deliveries).toEqual([]);
    expect(simulator.subscriptions.stats.dropped).toBe(droppedBefore + 1);
    await graph('DELETE', `/subscriptions/${subscriptionId}`);
  });

  it('when an app token asks for /me, then Graph answers 400 as it does', async () => {
    const delegated = await graph('GET', '/me/events');

    expect(delegated.status).toBe(400);
  });
});
