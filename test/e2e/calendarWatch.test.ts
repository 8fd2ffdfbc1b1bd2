import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
} from '../support/localStackProcess.js';

// The calendar watch through the running stack, driven only through its public surfaces:
// endpoints.json, Graph's API, the simulator's control API and the function app's HTTP routes.
let stack: LocalStackProcess;
let graphToken: string;
let hostAdmin: string;
let graphBase: string;

interface QueueView {
  sent: number;
  duplicatesDropped: number;
  recent: Array<{ body: { eventId: string; userId: string; source: string; changeType: string } }>;
}

async function queue(name: string): Promise<QueueView> {
  return (await (await fetch(`${hostAdmin}/queues/${name}`)).json()) as QueueView;
}

async function simulator(path: string, body?: unknown): Promise<Response> {
  return fetch(
    `${graphBase}/_control${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
}

async function apiToken(user: string): Promise<string> {
  return ((await (await simulator('/tokens/api', { user })).json()) as { access_token: string }).access_token;
}

function slot(daysAhead: number) {
  const start = new Date(Date.now() + daysAhead * 86_400_000);
  return {
    start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
    end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString().slice(0, 19), timeZone: 'UTC' },
  };
}

beforeAll(async () => {
  stack = await startLocalStackProcess();
  hostAdmin = stack.endpoints.api.replace(/\/api$/, '/admin');
  graphBase = stack.endpoints.graph.replace(/\/v1\.0$/, '');
  const accessToken = await graphAppToken(stack.endpoints);
  graphToken = accessToken;
});

afterAll(async () => {
  await stack?.stop();
});

describe('calendar watch through the running stack', () => {
  it('when an event is created in Graph, then its change reaches event-changes within 5 seconds', async () => {
    const organizer = stack.endpoints.users.find((user) => user.preferredLanguage === 'tr-TR');
    const started = Date.now();
    const created = await fetch(`${stack.endpoints.graph}/users/${organizer?.id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Toplantı @webex', ...slot(1) }),
    });
    const event = (await created.json()) as { id: string };

    await expect
      .poll(
        async () =>
          (await queue('event-changes')).recent.some(
            (entry) => entry.body.eventId === event.id && entry.body.source === 'notification',
          ),
        { timeout: 5_000, interval: 100 },
      )
      .toBe(true);
    console.log(`notification to event-changes: ${Date.now() - started} ms`);
  });

  it('when the same notification is delivered twice, then event-changes holds it once', async () => {
    const subscriptions = (await (await simulator('/subscriptions')).json()) as {
      value: Array<{ id: string; resource: string; clientState: string }>;
    };
    const subscription = subscriptions.value[0];
    const userId = subscription?.resource.split('/')[2];
    const notification = {
      value: [
        {
          subscriptionId: subscription?.id,
          changeType: 'updated',
          resource: `Users/${userId}/Events/AAMkAG-duplicate=`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Event',
            '@odata.etag': 'W/"dup-1"',
            id: 'AAMkAG-duplicate=',
          },
          clientState: subscription?.clientState,
          tenantId: stack.endpoints.tenantId,
        },
      ],
    };
    const before = await queue('event-changes');

    const answers = await Promise.all(
      [1, 2].map(() =>
        fetch(`${stack.endpoints.api}/notifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(notification),
        }),
      ),
    );
    const after = await queue('event-changes');

    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    expect(after.sent - before.sent).toBe(1);
    expect(after.duplicatesDropped - before.duplicatesDropped).toBe(1);
  });

  it('when a notification is forged or malformed, then it is answered without a hint and nothing is queued', async () => {
    const before = await queue('event-changes');
    const userId = stack.endpoints.users[0]?.id;
    const forged = {
      value: [
        {
          subscriptionId: 's',
          changeType: 'created',
          resource: `Users/${userId}/Events/x`,
          clientState: `v1.${userId}.bm9uY2U.${'A'.repeat(43)}`,
          tenantId: stack.endpoints.tenantId,
        },
      ],
    };

    const forgedAnswer = await fetch(`${stack.endpoints.api}/notifications`, {
      method: 'POST',
      body: JSON.stringify(forged),
    });
    const malformedAnswer = await fetch(`${stack.endpoints.api}/notifications`, {
      method: 'POST',
      body: JSON.stringify({ value: 'nope' }),
    });
    const notJson = await fetch(`${stack.endpoints.api}/notifications`, { method: 'POST', body: '<xml/>' });
    const tooLarge = await fetch(`${stack.endpoints.api}/notifications`, {
      method: 'POST',
      body: JSON.stringify({ value: [], pad: 'x'.repeat(3_000_000) }),
    });
    const after = await queue('event-changes');

    expect([forgedAnswer.status, malformedAnswer.status, notJson.status, tooLarge.status]).toEqual([
      202, 202, 400, 413,
    ]);
    expect(await forgedAnswer.text()).toBe('');
    expect(after.sent).toBe(before.sent);
  });

  it('when Graph validates the endpoint, then the token comes back as text/plain', async () => {
    const token = '<b>validation</b>';
    const answer = await fetch(
      `${stack.endpoints.api}/notifications?validationToken=${encodeURIComponent(token)}`,
      { method: 'POST' },
    );

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(await answer.text()).toBe(token);
  });

  it('when the renewal timer runs with the clock moved forward, then every subscription is renewed', async () => {
    await fetch(`${hostAdmin}/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 6.5 * 86_400_000 }),
    });
    const before = (await (await simulator('/subscriptions')).json()) as {
      value: Array<{ id: string; expirationDateTime: string }>;
    };
    await simulator('/stats/reset', {});

    const run = await fetch(`${hostAdmin}/functions/subscriptionRenewal`, { method: 'POST', body: '{}' });
    const after = (await (await simulator('/subscriptions')).json()) as {
      value: Array<{ id: string; expirationDateTime: string }>;
    };
    const stats = (await (await simulator('/stats')).json()) as { requests: Record<string, number> };

    expect(run.status).toBe(202);
    expect(after.value.map((subscription) => subscription.id).sort()).toEqual(
      before.value.map((subscription) => subscription.id).sort(),
    );
    for (const subscription of after.value) {
      const previous = before.value.find((candidate) => candidate.id === subscription.id);
      expect(Date.parse(subscription.expirationDateTime)).toBeGreaterThan(
        Date.parse(previous?.expirationDateTime ?? ''),
      );
    }
    console.log(
      `renewal timer: ${after.value.length} subscriptions, Graph requests ${JSON.stringify(stats.requests)}`,
    );
  });

  it('when the admin API is called without a token or the admin role, then it answers 401 and 403', async () => {
    const url = `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users`;
    const noToken = await fetch(url);
    const badToken = await fetch(url, { headers: { authorization: 'Bearer not.a.token' } });
    const notAdmin = await fetch(url, {
      headers: { authorization: `Bearer ${await apiToken('bjorn@contoso.example')}` },
    });
    const otherTenant = await fetch(
      `${stack.endpoints.api}/admin/tenants/00000000-0000-0000-0000-000000000000/users`,
      { headers: { authorization: `Bearer ${await apiToken('alice@contoso.example')}` } },
    );
    const graphTokenForApi = await fetch(url, { headers: { authorization: `Bearer ${graphToken}` } });

    expect([
      noToken.status,
      badToken.status,
      notAdmin.status,
      otherTenant.status,
      graphTokenForApi.status,
    ]).toEqual([401, 401, 403, 403, 401]);
    expect(await notAdmin.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('when an admin enables 500 users at once, then all of them are activated', async () => {
    const added = (await (await simulator('/users', { count: 500, prefix: 'bulk' })).json()) as {
      value: Array<{ id: string }>;
    };
    const admin = {
      authorization: `Bearer ${await apiToken('alice@contoso.example')}`,
      'content-type': 'application/json',
    };
    const listUrl = `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users?state=activated`;
    const started = Date.now();

    const enabled = await fetch(
      `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users/enable`,
      {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ userIds: added.value.map((user) => user.id) }),
      },
    );
    await expect
      .poll(
        async () =>
          ((await (await fetch(listUrl, { headers: admin })).json()) as { users: unknown[] }).users.length,
        { timeout: 60_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(500 + stack.endpoints.users.length - 1);

    expect(enabled.status).toBe(202);
    expect(await enabled.json()).toEqual({ queued: 500 });
    console.log(`bulk enable: 500 users activated in ${Date.now() - started} ms`);
    const invalid = await fetch(
      `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users/enable`,
      { method: 'POST', headers: admin, body: JSON.stringify({ userIds: ['alice@contoso.example'] }) },
    );
    expect(invalid.status).toBe(400);
  });
});
