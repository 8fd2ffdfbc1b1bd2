import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// "Connect your calendar" through `npm start`: a user the admin never enabled connects with the
// browser flow (redirects followed, nothing written into the store by the test), is watched with
// their own delegated tokens, loses them to a revoked refresh token, reconnects, then exports and
// purges their data.
let stack: LocalStackProcess;
let graphHeaders: Record<string, string>;
let graphControl: string;
let hostAdmin: string;
let user: { id: string; mail: string };

interface UserStatus {
  id: string;
  state: string;
  errorReason: string | null;
  authorization: string;
  reconnectUrl: string | null;
}

interface MailboxStats {
  byOperation: Record<string, number>;
  delegatedByOperation: Record<string, number>;
}

async function simulatorToken(mail: string): Promise<string> {
  const answer = await fetch(`${graphControl}/tokens/api`, {
    method: 'POST',
    body: JSON.stringify({ user: mail }),
  });
  return ((await answer.json()) as { access_token: string }).access_token;
}

async function listedUser(): Promise<UserStatus | undefined> {
  const answer = await fetch(`${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users`, {
    headers: { authorization: `Bearer ${await simulatorToken('alice@contoso.example')}` },
  });
  const { users } = (await answer.json()) as { users: UserStatus[] };
  return users.find((candidate) => candidate.id === user.id);
}

async function mailboxStats(): Promise<MailboxStats> {
  const answer = (await (await fetch(`${graphControl}/stats`)).json()) as {
    mailboxes: Record<string, MailboxStats>;
  };
  return answer.mailboxes[user.id] ?? { byOperation: {}, delegatedByOperation: {} };
}

/** The stack's own "now": the test depends on its clock, never on today's date. */
async function stackNow(): Promise<Date> {
  const answer = await fetch(`${hostAdmin}/clock`, {
    method: 'POST',
    body: JSON.stringify({ advanceMs: 0 }),
  });
  return new Date(((await answer.json()) as { now: string }).now);
}

async function createWebexMeeting(subject: string): Promise<string> {
  const day = new Date((await stackNow()).getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
  const created = await fetch(`${stack.endpoints.graph}/users/${user.id}/events`, {
    method: 'POST',
    headers: graphHeaders,
    body: JSON.stringify({
      subject,
      location: { displayName: '@webex' },
      start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
    }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

async function eventBody(eventId: string): Promise<string> {
  const answer = await fetch(`${stack.endpoints.graph}/users/${user.id}/events/${eventId}`, {
    headers: graphHeaders,
  });
  return ((await answer.json()) as { body: { content: string } }).body.content;
}

/**
 * A browser's part of the flow: redirects followed one by one and cookies kept as a browser keeps
 * them (per host and path, `Max-Age=0` removes, `Secure` ones sent over https and to loopback hosts,
 * which browsers count as secure: the local stack's API is plain http on 127.0.0.1).
 */
class Browser {
  readonly #cookies = new Map<string, { host: string; path: string; value: string; secure: boolean }>();

  /** Another browser that holds the same cookies from now on (a stolen or copied cookie jar). */
  copy(): Browser {
    const other = new Browser();
    for (const [key, cookie] of this.#cookies) other.#cookies.set(key, { ...cookie });
    return other;
  }

  /** Opens a link: every redirect followed (up to `stopBefore`'s path), the final page returned. */
  async browse(
    url: string,
    options: { stopBefore?: string } = {},
  ): Promise<{ status: number; url: string; html: string }> {
    let current = new URL(url);
    for (let hop = 0; hop < 10; hop += 1) {
      if (hop > 0 && current.pathname === options.stopBefore)
        return { status: 0, url: current.href, html: '' };
      const answer = await fetch(current, { redirect: 'manual', headers: this.#cookieHeader(current) });
      this.#remember(current, answer.headers.getSetCookie());
      const location = answer.headers.get('location');
      if (answer.status < 300 || answer.status >= 400 || !location) {
        return { status: answer.status, url: current.href, html: await answer.text() };
      }
      current = new URL(location, current);
    }
    throw new Error('too many redirects');
  }

  #cookieHeader(url: URL): Record<string, string> {
    const secureContext =
      url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    const sent = [...this.#cookies.entries()]
      .filter(([, cookie]) => cookie.host === url.host && url.pathname.startsWith(cookie.path))
      .filter(([, cookie]) => !cookie.secure || secureContext)
      .map(([key, cookie]) => `${key.split('|')[2]}=${cookie.value}`);
    return sent.length > 0 ? { cookie: sent.join('; ') } : {};
  }

  #remember(url: URL, setCookies: string[]): void {
    for (const setCookie of setCookies) {
      const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim());
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      const attribute = (wanted: string) =>
        attributes.find((part) => part.toLowerCase().split('=')[0] === wanted.toLowerCase());
      const path = attribute('Path')?.split('=')[1] ?? '/';
      const key = `${url.host}|${path}|${name}`;
      if (attribute('Max-Age')?.split('=')[1] === '0') this.#cookies.delete(key);
      else this.#cookies.set(key, { host: url.host, path, value, secure: attribute('Secure') !== undefined });
    }
  }
}

/** Opens a link in a fresh browser. */
function browse(url: string): Promise<{ status: number; url: string; html: string }> {
  return new Browser().browse(url);
}

beforeAll(async () => {
  stack = await startLocalStackProcess({ timeoutMs: 180_000 });
  graphControl = `${stack.endpoints.graph.replace(/\/v1\.0$/, '')}/_control`;
  hostAdmin = stack.endpoints.api.replace(/\/api$/, '/admin');
  graphHeaders = {
    authorization: `Bearer ${await graphAppToken(stack.endpoints)}`,
    'content-type': 'application/json',
  };
  const added = await fetch(`${graphControl}/users`, {
    method: 'POST',
    body: JSON.stringify({ count: 1, prefix: 'connect' }),
  });
  [user] = ((await added.json()) as { value: Array<{ id: string; mail: string }> }).value as [
    { id: string; mail: string },
  ];
}, 200_000);

afterAll(async () => {
  await stack?.stop();
});

describe('connect your calendar through the running stack', () => {
  let firstMeeting = '';

  it('when a sign-in started in one browser is finished in another, then it is refused and nothing is connected', async () => {
    const connectLink = `${stack.endpoints.api}/connect?login_hint=${encodeURIComponent(user.mail)}`;
    const attacker = new Browser();
    const started = await attacker.browse(connectLink, { stopBefore: '/api/connect/callback' });
    // The victim's browser: once without any binding cookie, once with the cookie of its own sign-in.
    const victim = new Browser();
    const withoutCookie = await victim.browse(started.url);
    await victim.browse(connectLink, { stopBefore: '/api/connect/callback' });
    const withOwnCookie = await victim.browse(started.url);
    await waitUntilQuiet(stack.endpoints);

    expect(new URL(started.url).pathname).toBe('/api/connect/callback');
    for (const page of [withoutCookie, withOwnCookie]) {
      expect(page.status).toBe(400);
      expect(page.html).toContain('not started in this browser');
    }
    expect((await listedUser())?.authorization).not.toBe('delegated');
  });

  it('when a user connects through the browser flow, then they are watched with delegated tokens', async () => {
    const page = await browse(`${stack.endpoints.api}/connect?login_hint=${encodeURIComponent(user.mail)}`);
    await waitUntilQuiet(stack.endpoints);

    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/api/connect/callback');
    expect(page.html).toContain('Your calendar is connected');
    expect(await listedUser()).toMatchObject({
      state: 'activated',
      errorReason: null,
      authorization: 'delegated',
      reconnectUrl: null,
    });
  });

  it('when the token cache document is read raw from Cosmos, then no token or address is in it', async () => {
    const cosmos = new CosmosClient({
      endpoint: stack.endpoints.cosmos.endpoint,
      key: stack.endpoints.cosmos.key,
    });
    try {
      const { resource } = await cosmos
        .database(stack.endpoints.cosmos.database)
        .container('tokenCaches')
        .item(user.id, user.id)
        .read();
      const raw = JSON.stringify(resource);

      expect(resource).toMatchObject({ userId: user.id, cache: { alg: 'A256GCM' } });
      for (const clear of ['RefreshToken', 'AccessToken', 'IdToken', 'secret', user.mail, 'connect-'])
        expect(raw).not.toContain(clear);
    } finally {
      cosmos.dispose();
    }
  });

  it('when a new @webex meeting lands in their calendar, then it is decorated through their delegated token', async () => {
    firstMeeting = await createWebexMeeting('Connected review');
    await waitUntilQuiet(stack.endpoints);
    const stats = await mailboxStats();

    expect(await eventBody(firstMeeting)).toContain('data-hybrid-calendar-join');
    expect(stats.delegatedByOperation['PATCH event']).toBeGreaterThanOrEqual(1);
    // Every request the service made for this mailbox, the decoration's PATCH included, carried the
    // user's token (the test made the event itself, with an app token).
    const { 'POST events': _testsOwn, ...byService } = stats.byOperation;
    expect(stats.delegatedByOperation).toEqual(byService);
  });

  it('when they use the meetings API and free/busy, then both answer through their delegated token', async () => {
    const headers = {
      authorization: `Bearer ${await simulatorToken(user.mail)}`,
      'content-type': 'application/json',
    };
    const now = await stackNow();
    const listed = await fetch(`${stack.endpoints.api}/users/${user.id}/meetings`, { headers });
    const freeBusy = await fetch(`${stack.endpoints.api}/users/${user.id}/free-busy`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        schedules: [user.mail],
        from: new Date(now.getTime() + 86_400_000).toISOString(),
        to: new Date(now.getTime() + 3 * 86_400_000).toISOString(),
      }),
    });
    const { meetings } = (await listed.json()) as { meetings: Array<{ title: string; join: unknown }> };
    const stats = await mailboxStats();

    expect(listed.status).toBe(200);
    expect(meetings.find((meeting) => meeting.title === 'Connected review')?.join).toBeTruthy();
    expect(freeBusy.status).toBe(200);
    expect(stats.delegatedByOperation['POST getSchedule']).toBe(stats.byOperation['POST getSchedule']);
    expect(stats.delegatedByOperation['POST getSchedule']).toBeGreaterThanOrEqual(1);
  });

  it('when their refresh token is revoked, then they go to Error with the reason and a reconnect link', async () => {
    const revoked = await fetch(`${graphControl}/mailboxes/${user.id}/revoke-refresh-tokens`, {
      method: 'POST',
      body: JSON.stringify({ aadsts: 50173 }),
    });
    // Two hours on: the cached access token has expired, so the next Graph call needs the refresh token.
    await fetch(`${hostAdmin}/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 2 * 3_600_000 }) });
    graphHeaders.authorization = `Bearer ${await graphAppToken(stack.endpoints)}`;
    await createWebexMeeting('After the password reset');
    await waitUntilQuiet(stack.endpoints);
    const listed = await listedUser();

    expect(revoked.status).toBe(204);
    expect(listed).toMatchObject({
      state: 'error',
      errorReason: 'token-revoked',
      authorization: 'delegated',
    });
    const link = new URL(listed?.reconnectUrl ?? '');
    expect(`${link.origin}${link.pathname}`).toBe(`${stack.endpoints.api}/connect`);
    expect(link.searchParams.get('login_hint')).toBe(user.mail);
    expect(stack.output()).not.toContain(user.mail);
  });

  it('when the user follows the reconnect link, then the Error is cleared and decoration works again', async () => {
    const link = (await listedUser())?.reconnectUrl ?? '';
    const page = await browse(link);
    await waitUntilQuiet(stack.endpoints);
    const meeting = await createWebexMeeting('Reconnected review');
    await waitUntilQuiet(stack.endpoints);

    expect(page.html).toContain('Your calendar is connected');
    expect(await listedUser()).toMatchObject({ state: 'activated', errorReason: null, reconnectUrl: null });
    expect(await eventBody(meeting)).toContain('data-hybrid-calendar-join');
  });

  it('when a used callback is replayed, then it is refused and nothing changes', async () => {
    const browser = new Browser();
    const { url: callback } = await browser.browse(
      `${stack.endpoints.api}/connect?login_hint=${encodeURIComponent(user.mail)}`,
      { stopBefore: '/api/connect/callback' },
    );
    // The replay carries the binding cookie (copied before the callback cleared it): the state refuses it.
    const replaying = browser.copy();
    const first = await browser.browse(callback);
    const replayed = await replaying.browse(callback);
    await waitUntilQuiet(stack.endpoints);
    // A forged state from a browser that holds a binding cookie of its own: the state refuses it.
    const forger = new Browser();
    await forger.browse(`${stack.endpoints.api}/connect?login_hint=${encodeURIComponent(user.mail)}`, {
      stopBefore: '/api/connect/callback',
    });
    const forged = await forger.browse(
      `${stack.endpoints.api}/connect/callback?code=x&state=v1.a.9999999999.b`,
    );

    expect(first.status).toBe(200);
    expect(replayed.status).toBe(400);
    expect(replayed.html).toContain('already used');
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('not issued by this service');
  });

  it('when the user exports their data, then they get their meetings decrypted as JSON', async () => {
    const answer = await fetch(`${stack.endpoints.api}/users/${user.id}/export`, {
      headers: { authorization: `Bearer ${await simulatorToken(user.mail)}` },
    });
    const exported = (await answer.json()) as { userId: string; meetings: Array<{ title: string }> };

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toContain('attachment');
    expect(exported.userId).toBe(user.id);
    expect(exported.meetings.map((meeting) => meeting.title)).toEqual(
      expect.arrayContaining(['Connected review', 'Reconnected review']),
    );
  });

  it('when the user purges their data, then the answer says what went and Cosmos holds nothing of them', async () => {
    const token = await simulatorToken(user.mail);
    const answer = await fetch(`${stack.endpoints.api}/users/${user.id}/data`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    const { removed } = (await answer.json()) as { removed: Record<string, unknown> };
    await waitUntilQuiet(stack.endpoints);
    const cosmos = new CosmosClient({
      endpoint: stack.endpoints.cosmos.endpoint,
      key: stack.endpoints.cosmos.key,
    });
    const left: unknown[] = [];
    try {
      const database = cosmos.database(stack.endpoints.cosmos.database);
      for (const container of ['users', 'meetings', 'traces', 'tokenCaches', 'dataKeys', 'presence']) {
        const { resources } = await database
          .container(container)
          .items.query({
            query: 'SELECT * FROM c WHERE c.userId = @u OR c.id = @u',
            parameters: [{ name: '@u', value: user.id }],
          })
          .fetchAll();
        left.push(...resources.map((resource: object) => ({ container, ...resource })));
      }
    } finally {
      cosmos.dispose();
    }
    const subscriptions = (await (await fetch(`${graphControl}/subscriptions`)).json()) as {
      value: Array<{ resource: string }>;
    };
    const afterwards = await fetch(`${stack.endpoints.api}/users/${user.id}/export`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(answer.status).toBe(200);
    expect(removed).toMatchObject({ watchedUser: true, subscription: 'deleted', tokenCache: true });
    expect(removed.meetingRecords).toBeGreaterThanOrEqual(2);
    expect(removed.dataKeys).toBeGreaterThanOrEqual(1);
    expect(left).toEqual([]);
    expect(subscriptions.value.filter((subscription) => subscription.resource.includes(user.id))).toEqual([]);
    // The data rights stay the user's without a watch document: nothing is left to export.
    expect(afterwards.status).toBe(200);
    expect(((await afterwards.json()) as { meetings: unknown[] }).meetings).toEqual([]);
  });
});
