import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalTenant } from '../../dev/localStack.js';
import { type BrowsedPage, dataAttribute, FormBrowser } from '../support/formBrowser.js';
import {
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// Tenant onboarding through `npm start`, driven as a browser drives it: redirects followed, forms
// read from the HTML and posted. The second tenant of the Graph simulator starts with no consent.
let stack: LocalStackProcess;
let tenant: LocalTenant;
let hostBase: string;
let adminToken: string;
const browser = new FormBrowser();

const startUrl = (loginHint: string) =>
  `${stack.endpoints.api}/onboarding/tenant?login_hint=${encodeURIComponent(loginHint)}`;

function userId(mail: string): string {
  return tenant.users.find((user) => user.mail === mail)?.id ?? '';
}

/** The tenant-admin API as the second tenant's Global Administrator calls it. */
async function adminApi(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.endpoints.api}/admin/tenants/${tenant.tenantId}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Client credentials for the second tenant: refused until its administrator consents. */
async function tenantAppToken(): Promise<{ status: number; token: string }> {
  const answer = await fetch(`${tenant.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: stack.endpoints.clientId,
      client_secret: stack.endpoints.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const body = (await answer.json()) as { access_token?: string };
  return { status: answer.status, token: body.access_token ?? '' };
}

/** Nothing of the tenant exists: no onboarding record, no watched user, still no consent. */
async function expectNothingWritten(): Promise<void> {
  expect((await adminApi('GET', '/onboarding')).status).toBe(404);
  expect(((await (await adminApi('GET', '/users')).json()) as { users: unknown[] }).users).toEqual([]);
  expect((await tenantAppToken()).status).toBe(400);
}

/** Follows the start redirect only: the sign-in URL with its state, as the browser would be sent. */
async function signInRedirect(loginHint: string): Promise<URL> {
  const started = await fetch(startUrl(loginHint), { redirect: 'manual' });
  expect(started.status).toBe(302);
  return new URL(started.headers.get('location') ?? '');
}

/** Signs in at the simulator and stops at the callback URL, without opening it. */
async function callbackUrlAfterSignIn(loginHint: string): Promise<string> {
  const signedIn = await fetch(await signInRedirect(loginHint), { redirect: 'manual' });
  return new URL(signedIn.headers.get('location') ?? '').toString();
}

beforeAll(async () => {
  stack = await startLocalStackProcess({ timeoutMs: 120_000 });
  const second = stack.endpoints.tenants.find((candidate) => !candidate.consented);
  if (!second) throw new Error('the local stack lists no unconsented tenant');
  tenant = second;
  hostBase = stack.endpoints.api.replace(/\/api$/, '');
  const admin = tenant.users.find((user) => user.isGlobalAdministrator);
  const token = await fetch(`${stack.endpoints.graphControl}/tokens/api`, {
    method: 'POST',
    body: JSON.stringify({ user: admin?.id }),
  });
  expect(token.status).toBe(200);
  adminToken = ((await token.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await stack?.stop();
});

describe('tenant onboarding through the running stack', () => {
  it('when a user who is not an administrator signs in, then a page names the roles needed and nothing is written', async () => {
    const page = await browser.open(startUrl('noah@fabrikam.example'));

    expect(page.status).toBe(403);
    expect(dataAttribute(page.html, 'reason')).toBe('role-required');
    expect(page.html).toContain('Global Administrator');
    expect(page.html).toContain('Privileged Role Administrator');
    expect(page.visited.some((url) => url.includes('adminconsent'))).toBe(false);
    await expectNothingWritten();
  });

  it('when the state is forged, then a 400 page says so and nothing is written', async () => {
    const callback = new URL(await callbackUrlAfterSignIn('grace@fabrikam.example'));
    const state = callback.searchParams.get('state') ?? '';
    // The expiry pushed out by a day, under the original signature.
    const [version, nonce, expiry, mac] = state.split('.');
    callback.searchParams.set('state', `${version}.${nonce}.${Number(expiry) + 86_400}.${mac}`);

    const page = await browser.open(callback.toString());

    expect(page.status).toBe(400);
    expect(dataAttribute(page.html, 'reason')).toBe('forged');
    expect(page.html).toContain('Nothing was changed');
    await expectNothingWritten();
  });

  it('when the state is older than 10 minutes, then a 400 page says it expired and nothing is written', async () => {
    const callback = await callbackUrlAfterSignIn('grace@fabrikam.example');
    const moved = await fetch(`${hostBase}/admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 11 * 60_000 }),
    });
    expect(moved.status).toBe(200);

    const page = await browser.open(callback);

    expect(page.status).toBe(400);
    expect(dataAttribute(page.html, 'reason')).toBe('expired');
    await expectNothingWritten();
  });

  it('when the administrator declines the admin consent, then the page gives Entra ID’s reason and nothing is written', async () => {
    await fetch(`${stack.endpoints.graphControl}/tenants/${tenant.tenantId}/admin-consent`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'decline' }),
    });

    const page = await browser.open(startUrl('grace@fabrikam.example'));

    expect(page.status).toBe(400);
    expect(dataAttribute(page.html, 'error')).toBe('consent_required');
    expect(page.html).toContain('AADSTS65004');
    await expectNothingWritten();
  });

  describe('when the Global Administrator onboards the tenant from zero', () => {
    let onboarded: BrowsedPage;

    beforeAll(async () => {
      onboarded = await browser.open(startUrl('grace@fabrikam.example'));
    });

    it('then sign-in, admin consent and the callback end on the onboarded page with the tenant’s domains', async () => {
      expect(onboarded.status).toBe(200);
      expect(dataAttribute(onboarded.html, 'tenant')).toBe(tenant.tenantId);
      expect(onboarded.html).toContain('<li>fabrikam.example</li>');
      const consent = onboarded.visited.find((url) => url.includes('/v2.0/adminconsent'));
      expect(consent).toBeDefined();
      expect(new URL(consent ?? '').pathname).toBe(`/${tenant.tenantId}/v2.0/adminconsent`);
      expect((await tenantAppToken()).status).toBe(200);
      const record = (await (await adminApi('GET', '/onboarding')).json()) as Record<string, unknown>;
      expect(record).toMatchObject({
        tenantId: tenant.tenantId,
        adminObjectId: userId('grace@fabrikam.example'),
        domains: ['fabrikam.example', 'fabrikam.onmicrosoft.com'],
      });
    });

    it('then replaying the sign-in or the consent answer is refused and changes nothing', async () => {
      const before = await (await adminApi('GET', '/onboarding')).json();
      const answers = onboarded.visited.filter((url) => url.includes('/onboarding/tenant/callback'));
      expect(answers).toHaveLength(2);
      for (const answer of answers) {
        const page = await browser.open(answer);
        expect(page.status).toBe(400);
        expect(dataAttribute(page.html, 'reason')).toBe('replayed');
      }
      expect(await (await adminApi('GET', '/onboarding')).json()).toEqual(before);
    });

    it('then a test mailbox succeeds, and the blocked, unlicensed and unknown ones show their reasons', async () => {
      const outcomes: Record<string, string | undefined> = {};
      for (const mailbox of [
        'olga@fabrikam.example',
        'bruno@fabrikam.example',
        'uma@fabrikam.example',
        'nobody@fabrikam.example',
      ]) {
        const page = await browser.submit(onboarded, 'test-mailbox', { mailbox });
        expect(page.status).toBe(200);
        outcomes[mailbox] = dataAttribute(page.html, 'outcome');
        if (mailbox === 'bruno@fabrikam.example') expect(page.html).toContain('application access policy');
      }

      expect(outcomes).toEqual({
        'olga@fabrikam.example': 'ok',
        'bruno@fabrikam.example': 'blocked-by-policy',
        'uma@fabrikam.example': 'not-licensed',
        'nobody@fabrikam.example': 'not-found',
      });
    });

    it('then enabling a group enables its transitive members, and their new @webex meeting is decorated', async () => {
      const sales = tenant.groups.find((group) => group.displayName === 'Sales');
      let page = await browser.submit(onboarded, 'enable', { selection: 'group', groupId: sales?.id ?? '' });
      expect(page.status).toBe(200);
      const jobId = dataAttribute(page.html, 'job') ?? '';
      for (let round = 0; round < 50 && dataAttribute(page.html, 'state') === 'running'; round += 1) {
        await fetch(`${hostBase}/admin/bus/idle`, { method: 'POST' });
        page = await browser.submit(page, 'enablement-refresh', {});
      }
      expect(dataAttribute(page.html, 'state')).toBe('completed');
      expect(await (await adminApi('GET', `/enablement/${jobId}`)).json()).toEqual({
        jobId,
        state: 'completed',
        found: 2,
        queued: 2,
        notFound: 0,
      });
      await waitUntilQuiet(stack.endpoints);
      const activated = (await (await adminApi('GET', '/users?state=activated')).json()) as {
        users: Array<{ id: string }>;
      };
      expect(activated.users.map((user) => user.id).sort()).toEqual(
        [userId('olga@fabrikam.example'), userId('pedro@fabrikam.example')].sort(),
      );

      const { token } = await tenantAppToken();
      const graph = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const created = await fetch(`${stack.endpoints.graph}/users/olga@fabrikam.example/events`, {
        method: 'POST',
        headers: graph,
        body: JSON.stringify({
          subject: 'Quarterly planning',
          body: { contentType: 'html', content: '<html><body><p>Agenda</p></body></html>' },
          location: { displayName: '@webex' },
          attendees: [{ emailAddress: { address: 'pedro@fabrikam.example' } }],
          start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
          end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
        }),
      });
      expect(created.status).toBe(201);
      const eventId = ((await created.json()) as { id: string }).id;
      await expect
        .poll(
          async () => {
            const event = (await (
              await fetch(`${stack.endpoints.graph}/users/olga@fabrikam.example/events/${eventId}`, {
                headers: graph,
              })
            ).json()) as { body: { content: string } };
            return event.body.content.includes('data-hybrid-calendar-join');
          },
          { timeout: 15_000 },
        )
        .toBe(true);
    });

    it('then the admin API enables by user principal name as a job, counting the names it did not find', async () => {
      const started = await adminApi('POST', '/users/enable', {
        userPrincipalNames: ['noah@fabrikam.example', 'ghost@fabrikam.example'],
      });
      expect(started.status).toBe(202);
      const { jobId } = (await started.json()) as { jobId: string };
      await waitUntilQuiet(stack.endpoints);

      expect(await (await adminApi('GET', `/enablement/${jobId}`)).json()).toEqual({
        jobId,
        state: 'completed',
        found: 1,
        queued: 1,
        notFound: 1,
      });
      // No address reached the logs: not the names looked up, not the sign-in hints.
      expect(stack.output()).not.toMatch(/@fabrikam\.example/);
    });
  });
});
