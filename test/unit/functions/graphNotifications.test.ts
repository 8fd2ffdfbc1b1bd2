import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../../dev/inProcessBus.js';
import { graphNotificationsFunction } from '../../../functions/graphNotifications.js';
import { graphNotificationReader } from '../../../shared/adapters/graph/graphChangeNotifications.js';
import type { Services } from '../../../shared/composition.js';
import { HttpRequest, HttpResponse } from '../../../shared/hosting/azureFunctionsRuntime.js';
import { answerHttpRequest } from '../../../shared/hosting/functionDefinitions.js';
import { Counters } from '../../../shared/observability/counters.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { ClientStateSigner } from '../../../shared/watch/clientState.js';
import { DroppedNotificationSummary } from '../../../shared/watch/droppedNotifications.js';
import { buildInvocationContext, type LoggedLine } from '../../support/invocationContext.js';

let bus: InProcessBus;
let services: Services;

beforeEach(() => {
  const clock = new ManualClock('2026-11-22T10:00:00Z');
  bus = new InProcessBus({ clock });
  // The webhook reaches only the intake's parts of the services: bus, clock, signer, counters.
  services = {
    watch: {
      bus,
      clock,
      clientState: new ClientStateSigner(Buffer.alloc(32, 4)),
      notifications: graphNotificationReader,
      counters: new Counters(),
      droppedNotifications: new DroppedNotificationSummary(clock),
    },
  } as unknown as Services;
});

afterEach(async () => {
  await bus.close();
});

async function call(init: { url?: string; body?: string; headers?: Record<string, string> }) {
  const request = new HttpRequest({
    method: 'POST',
    url: init.url ?? 'http://127.0.0.1:7071/api/notifications',
    headers: init.headers ?? { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: { string: init.body } }),
  });
  const response = new HttpResponse(
    await answerHttpRequest(graphNotificationsFunction, request, services.watch, buildInvocationContext()),
  );
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('POST /api/notifications', () => {
  it('when Graph sends the validation handshake, then the token is echoed as text/plain with nosniff', async () => {
    const token = 'Validation: Testing client application reachability <script>alert(1)</script>';
    const response = await call({
      url: `http://127.0.0.1:7071/api/notifications?validationToken=${encodeURIComponent(token)}`,
    });

    expect(response.status).toBe(200);
    expect(response.text).toBe(token);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('when the body is not JSON, then the answer is 400 and nothing is queued', async () => {
    const response = await call({ body: 'not json' });

    expect(response.status).toBe(400);
    expect(bus.diagnostics('event-changes').sent).toBe(0);
  });

  it('when the body is over the limit, then the answer is 413', async () => {
    const response = await call({
      body: JSON.stringify({ value: [], padding: 'x'.repeat(3 * 1024 * 1024) }),
    });

    expect(response.status).toBe(413);
  });

  it('when the notifications are forged, then the answer is still 202 and nothing is queued', async () => {
    const response = await call({
      body: JSON.stringify({
        value: [
          {
            subscriptionId: 's',
            changeType: 'created',
            resource: 'Users/u/Events/e',
            clientState: 'v1.u.n.m',
            tenantId: 't',
          },
        ],
      }),
    });

    expect(response.status).toBe(202);
    expect(response.text).toBe('');
    expect(bus.diagnostics('event-changes').sent).toBe(0);
  });

  it('when forged notifications keep coming, then they are logged as one summary line a minute, not one per request', async () => {
    const lines: LoggedLine[] = [];
    const forged = JSON.stringify({
      value: [
        {
          subscriptionId: 's',
          changeType: 'created',
          resource: 'Users/u/Events/e',
          clientState: 'v1.u.n.m',
          tenantId: '8f1c2d3e-0000-4000-8000-000000000001',
        },
      ],
    });
    const post = async () =>
      answerHttpRequest(
        graphNotificationsFunction,
        new HttpRequest({
          method: 'POST',
          url: 'http://127.0.0.1:7071/api/notifications',
          body: { string: forged },
        }),
        services.watch,
        buildInvocationContext(lines),
      );

    for (let i = 0; i < 50; i += 1) await post();
    (services.watch.clock as ManualClock).advanceBy(60_000);
    for (let i = 0; i < 50; i += 1) await post();

    expect(lines.filter((line) => line.level === 'warning')).toEqual([
      {
        level: 'warning',
        message: expect.stringContaining('8f1c2d3e-0000-4000-8000-000000000001: 50 forged, 0 malformed'),
      },
    ]);
    expect(services.watch.counters.get('notifications.dropped.forged')).toBe(100);
  });

  it.each([
    ['a malformed percent escape', 'Users/{user}/Events/AAMk%zz'],
    ['an event id of ..', 'Users/{user}/Events/..'],
    ['an event id holding a slash', 'Users/{user}/Events/AAMk%2Fetc'],
  ])(
    'when the resource holds %s, then it counts as malformed and the answer is still 202',
    async (_case, resource) => {
      const watch = services.watch;
      const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
      const response = await call({
        body: JSON.stringify({
          value: [
            {
              subscriptionId: 's',
              changeType: 'updated',
              resource: resource.replace('{user}', userId),
              clientState: watch.clientState.create('t', userId),
              tenantId: 't',
            },
          ],
        }),
      });

      expect(response.status).toBe(202);
      expect(bus.diagnostics('event-changes').sent).toBe(0);
      expect(watch.counters.snapshot()['notifications.dropped.malformed']).toBe(1);
    },
  );

  it('when resourceData names an id Graph never issues, then it counts as malformed', async () => {
    const watch = services.watch;
    const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
    const response = await call({
      body: JSON.stringify({
        value: [
          {
            subscriptionId: 's',
            changeType: 'updated',
            resource: `Users/${userId}/Events/AAMkAGI=`,
            resourceData: { id: '../../me' },
            clientState: watch.clientState.create('t', userId),
            tenantId: 't',
          },
        ],
      }),
    });

    expect(response.status).toBe(202);
    expect(bus.diagnostics('event-changes').sent).toBe(0);
  });

  it('when the bus cannot take the message, then the answer is 5xx so that Graph retries', async () => {
    await bus.close();
    const watch = services.watch;
    const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
    const response = await call({
      body: JSON.stringify({
        value: [
          {
            subscriptionId: 's',
            changeType: 'created',
            resource: `Users/${userId}/Events/e`,
            clientState: watch.clientState.create('t', userId),
            tenantId: 't',
          },
        ],
      }),
    });

    expect(response.status).toBeGreaterThanOrEqual(500);
  });
});
