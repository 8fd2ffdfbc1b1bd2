import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// The admin console in Debian's Chromium (never a downloaded browser) against `npm start`: one
// stack and one browser for the file. With CONSOLE_SCREENSHOTS=<folder> (npm run screenshots) the
// same flow also saves a PNG of each page there.
const screenshotFolder = process.env.CONSOLE_SCREENSHOTS;
let stack: LocalStackProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let graphHeaders: Record<string, string>;
/** What the browser reported: CSP violations and uncaught errors would show here. */
const browserProblems: string[] = [];

const alice = 'alice@contoso.example';
const teamsInvitation = `<html><body><div>Microsoft Teams meeting</div>
<div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZTFk%40thread.v2/0?context=%7b%22Tid%22%3a%228f1c%22%7d">Join the meeting now</a></div>
<div>Meeting ID: 245 871 330 112</div><div>Need help? <a href="https://aka.ms/JoinTeamsMeeting">Learn more</a></div>
</body></html>`;
const zoomInvitation = `Ayse Yilmaz is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://us02web.zoom.us/j/85012345678?pwd=QWErty123

Meeting ID: 850 1234 5678
Passcode: 4711
Join by SIP
85012345678@zoomcrc.com`;

function userId(mail: string): string {
  return stack.endpoints.users.find((user) => user.mail === mail)?.id ?? '';
}

async function screenshot(name: string): Promise<void> {
  if (!screenshotFolder) return;
  await page.screenshot({ path: join(screenshotFolder, `${name}.png`), fullPage: true });
}

async function signIn(target: Page, account: string): Promise<void> {
  await target.goto(`${stack.endpoints.api}/console/`);
  await target.getByLabel(/Account/).fill(account);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

async function createEvent(organizer: string, event: Record<string, unknown>): Promise<string> {
  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const created = await fetch(`${stack.endpoints.graph}/users/${organizer}/events`, {
    method: 'POST',
    headers: graphHeaders,
    body: JSON.stringify({
      body: { contentType: 'html', content: '<html><body><p>Agenda</p></body></html>' },
      start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
      ...event,
    }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

beforeAll(async () => {
  if (screenshotFolder) await mkdir(screenshotFolder, { recursive: true });
  stack = await startLocalStackProcess();
  graphHeaders = {
    authorization: `Bearer ${await graphAppToken(stack.endpoints)}`,
    'content-type': 'application/json',
  };
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  // The simulator's HTTPS certificate comes from the stack's own CA, which Chromium does not know.
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') browserProblems.push(message.text());
  });
  page.on('pageerror', (error) => browserProblems.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the admin console in the browser', () => {
  it('when the demo tenant’s admin signs in, then the users show with their names and states', async () => {
    await waitUntilQuiet(stack.endpoints);
    await signIn(page, alice);

    await expect.poll(() => page.locator('#signed-in-as').textContent()).toContain('Alice Anderson');
    const rows = page.locator('#users-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(5);
    const bjorn = page.locator('#users-table tr', { hasText: 'Björn Lindqvist' });
    expect(await bjorn.textContent()).toContain('bjorn@contoso.example');
    expect(await bjorn.textContent()).toContain('Activated');
    expect(page.url()).toBe(`${stack.endpoints.api}/console/#users`.replace('#users', ''));
    await page.getByLabel('Search by name, mail or id').fill('kenji');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Kenji Sato');
    await page.getByLabel('Search by name, mail or id').fill('');
  });

  it('when the admin enables users by user principal name, then the job completes with its counts and the user is activated', async () => {
    // Everyone is enabled at start-up: the admin disables Kenji from the list first.
    const kenji = page.locator('#users-table tr', { hasText: 'Kenji Sato' });
    await kenji.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Disable selected' }).click();
    await expect.poll(() => page.locator('#enablement-progress').textContent()).toContain('1 users queued');
    await waitUntilQuiet(stack.endpoints);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => kenji.textContent()).toMatch(/Not activated\s*disabled/);

    await page
      .getByLabel('User principal names (one a line)')
      .fill('kenji@contoso.example\nnobody@contoso.example');
    await page.getByRole('button', { name: 'Enable these users' }).click();

    await expect
      .poll(() => page.locator('#enablement-state[data-state]').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('completed');
    expect(await page.locator('#enablement-found').textContent()).toBe('1');
    expect(await page.locator('#enablement-queued').textContent()).toBe('1');
    expect(await page.locator('#enablement-not-found').textContent()).toBe('1');
    await waitUntilQuiet(stack.endpoints);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => kenji.locator('fluent-badge').textContent()).toBe('Activated');
    expect(await kenji.textContent()).not.toContain('disabled');
    await screenshot('users');
  });

  it('when the admin opens the trace of a decorated meeting, then the decisions read in plain words', async () => {
    const eventId = await createEvent(alice, {
      subject: 'Quarterly review',
      location: { displayName: '@webex' },
    });
    await waitUntilQuiet(stack.endpoints);

    await page.getByRole('link', { name: 'Meeting trace' }).click();
    await page.getByLabel('User').selectOption(userId(alice));
    await page.getByLabel('Event id (Graph)').fill(eventId);
    await page.getByRole('button', { name: 'Show the decisions' }).click();

    const trace = page.locator('ol.trace');
    await expect.poll(() => trace.textContent()).toContain('The join block was written into the invitation.');
    expect(await trace.textContent()).toContain('Rule: keyword @webex.');
    expect(await trace.textContent()).toContain('Language of the join block: en.');
    expect(page.url()).not.toContain(eventId);
    await screenshot('trace');
  });

  it('when the admin changes a template, then the preview in that language changes; bad input is refused by the field', async () => {
    await page.getByRole('link', { name: 'Tenant settings' }).click();
    const swedish = page.locator('.preview-body[data-language="sv"]');
    await expect.poll(() => swedish.textContent()).toContain('Anslut till Webex-mötet');
    expect(await page.locator('.preview-body').count()).toBe(7);

    await page.getByLabel('Language to edit').selectOption('sv');
    await page.getByLabel('Heading').fill('Välkommen till mötet');
    await expect.poll(() => swedish.textContent()).toContain('Välkommen till mötet');
    expect(await page.locator('.preview-body[data-language="en"]').textContent()).toContain(
      'Join the Webex meeting',
    );

    await page.getByLabel(/lead time/).fill('99');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(() => page.locator('#settings-lead-time-error').textContent())
      .toMatch(/less than or equal to 60|<=60/);
    await page.getByLabel(/lead time/).fill('10');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.locator('#settings-form [role=status]').textContent()).toContain('Saved');
  });

  it('when the admin turns a channel off and adds a CloudEvents endpoint, then both hold after a reload and the secret is never shown', async () => {
    const endpoint = 'https://events.contoso.example/hybrid-calendar';
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw9YsAMxdN4xY=';
    await page.getByLabel(/Room devices/).uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.locator('#settings-form [role=status]').textContent()).toContain('Saved');

    await page.getByLabel('Endpoint URL (https)').fill('http://events.contoso.example/hybrid-calendar');
    await page.getByLabel('Signing secret').fill(secret);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect.poll(() => page.locator('#cloudevents-url-error').textContent()).toContain('https://');
    await page.getByLabel('Endpoint URL (https)').fill(endpoint);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const listed = page.locator('#cloudevents-endpoints li', { hasText: endpoint });
    await expect.poll(() => listed.textContent()).toContain('secret set');
    expect(await page.locator('#cloudevents-url-error').textContent()).toBe('');
    await screenshot('settings');

    // A reload drops the in-memory token: sign in again and read both back from the API.
    await page.reload();
    await signIn(page, alice);
    await page.getByRole('link', { name: 'Tenant settings' }).click();
    await expect.poll(() => page.getByLabel(/Webex message/).isChecked()).toBe(true);
    expect(await page.getByLabel(/Room devices/).isChecked()).toBe(false);
    await expect.poll(() => listed.textContent()).toContain('secret set');
    expect(await page.content()).not.toContain(secret.slice('whsec_'.length, -1));

    // No endpoint is left behind to receive the later tests' events.
    await page.getByRole('button', { name: `Remove ${endpoint}` }).click();
    await expect.poll(() => page.locator('#cloudevents-endpoints').textContent()).toContain('No endpoint');
  });

  it('when a Teams and a Zoom invitation are pasted into the test bench, then each shows its own Join link', async () => {
    await page.getByRole('link', { name: 'Join-link test bench' }).click();
    await page.getByLabel('Invitation body (HTML or text, pasted)').fill(teamsInvitation);
    await page.getByRole('button', { name: 'Detect' }).click();
    await expect
      .poll(() => page.locator('#bench-join-link').textContent())
      .toContain('https://teams.microsoft.com/l/meetup-join/');
    expect(await page.locator('#bench-keyword').textContent()).toContain('none');

    await page.getByLabel('Location').fill('@webex');
    await page.getByLabel('Invitation body (HTML or text, pasted)').fill(zoomInvitation);
    await page.getByRole('button', { name: 'Detect' }).click();
    await expect
      .poll(() => page.locator('#bench-join-link').textContent())
      .toBe('https://us02web.zoom.us/j/85012345678?pwd=QWErty123');
    expect(await page.locator('#bench-keyword').textContent()).toContain('@webex (personal-room)');
    expect(await page.locator('#bench-sip').textContent()).toBe('85012345678@zoomcrc.com');
    await screenshot('test-bench');
  });

  it('when a change dead-letters (the mailbox is gone), then the admin sees it by reason and re-drives it', async () => {
    const control = stack.endpoints.graphControl;
    await fetch(`${control}/mailboxes/ayse@contoso.example/gone`, { method: 'POST' });
    await createEvent(alice, {
      subject: 'Planning',
      attendees: [{ emailAddress: { address: 'ayse@contoso.example' } }],
    });
    await waitUntilQuiet(stack.endpoints);
    await fetch(`${control}/mailboxes/ayse@contoso.example/restore`, { method: 'POST' });

    await page.getByRole('link', { name: 'Dead letters' }).click();
    await expect.poll(() => page.locator('#dead-letter-counts').textContent()).toContain('mailbox-gone');
    const letters = page.locator('#dead-letters tbody tr');
    expect(await letters.count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#dead-letters').textContent()).not.toContain('ayse@contoso.example');
    await screenshot('dead-letters');
    await page.getByRole('button', { name: 'Re-drive all “mailbox-gone”' }).click();

    await expect
      .poll(() => page.locator('main [role=status]').first().textContent())
      .toMatch(/Re-driven: [1-9]/);
    await waitUntilQuiet(stack.endpoints);
  });

  it('when the API reference is opened, then Swagger UI renders the OpenAPI document from local files', async () => {
    await page.getByRole('link', { name: 'API reference' }).click();

    await expect
      .poll(() => page.locator('#swagger').textContent(), { timeout: 15_000 })
      .toContain('/admin/tenants/');
    await screenshot('api-reference');
  });

  it('when the console is served, then it carries a strict Content-Security-Policy and no CDN', async () => {
    const shell = await fetch(`${stack.endpoints.api}/console/`);
    const policy = shell.headers.get('content-security-policy') ?? '';
    const html = await shell.text();

    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain(`connect-src 'self' ${new URL(stack.endpoints.authority).origin}`);
    expect(html).not.toMatch(/<script>|https?:\/\//);
    expect((await fetch(`${stack.endpoints.api}/console/../health`)).status).not.toBe(500);
    expect((await fetch(`${stack.endpoints.api}/console/nothing.js`)).status).toBe(404);
  });

  it('when used by keyboard at tablet width, then the navigation sits on top, nothing scrolls sideways and links work', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    try {
      await page.getByRole('link', { name: 'Tenants and users' }).click();
      await expect.poll(() => page.locator('main [role=status]').first().textContent()).toBe('5 users.');
      // Ayşe's mailbox was gone when her copy of the meeting above was processed.
      const ayse = await page.locator('#users-table tr', { hasText: 'Ayşe Yılmaz' }).textContent();
      expect(ayse).toMatch(/Error\s*The mailbox left Exchange Online.*mailbox-gone\s*\d{2}\/\d{2}\/\d{4}/);
      // Page scripts are given as text: the tests compile without the DOM's types.
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      // One layout read: the navigation ends where the page content begins.
      const navAboveMain = await page.evaluate(`(() => {
        const nav = document.querySelector('nav').getBoundingClientRect();
        const main = document.querySelector('main').getBoundingClientRect();
        return nav.bottom <= main.top && main.left === nav.left;
      })()`);
      expect(Number(overflow)).toBeLessThanOrEqual(0);
      expect(navAboveMain).toBe(true);
      await screenshot('users-tablet');

      // From the header, one step back is the skip link; it takes focus to the page content.
      await page.locator('header .brand').click();
      await page.keyboard.press('Shift+Tab');
      expect(await page.locator(':focus').textContent()).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.locator(':focus').getAttribute('id')).toBe('main');
      await page.getByRole('link', { name: 'Dead letters' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('h1').textContent()).toBe('Dead letters');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('when a connected user’s refresh token is revoked, then the console shows Reconnect needed in plain words with the link to send them', async () => {
    const bjorn = 'bjorn@contoso.example';
    // Björn connects his own calendar (the simulator signs the login_hint user in at once).
    // Connecting is bound to the browser that started it: its cookie goes with the callback.
    const started = await fetch(`${stack.endpoints.api}/connect?login_hint=${encodeURIComponent(bjorn)}`, {
      redirect: 'manual',
    });
    const signedIn = await fetch(started.headers.get('location') ?? '', { redirect: 'manual' });
    const connected = await fetch(signedIn.headers.get('location') ?? '', {
      headers: { cookie: (started.headers.get('set-cookie') ?? '').split(';')[0] ?? '' },
    });
    expect(await connected.text()).toContain('Your calendar is connected');
    await waitUntilQuiet(stack.endpoints);
    const revoked = await fetch(`${stack.endpoints.graphControl}/mailboxes/${bjorn}/revoke-refresh-tokens`, {
      method: 'POST',
      body: JSON.stringify({ aadsts: 50173 }),
    });
    expect(revoked.status).toBe(204);
    // Two hours on, his cached access token has expired: the next Graph call needs the refresh token.
    const hostAdmin = stack.endpoints.api.replace(/\/api$/, '/admin');
    await fetch(`${hostAdmin}/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 2 * 3_600_000 }) });
    graphHeaders.authorization = `Bearer ${await graphAppToken(stack.endpoints)}`;
    await createEvent(bjorn, { subject: 'After the password reset', location: { displayName: '@webex' } });
    await waitUntilQuiet(stack.endpoints);

    // The console's own token is two hours old now too: the admin signs in again.
    await signIn(page, alice);
    await page.getByRole('button', { name: /^Reconnect needed \(1\)$/ }).click();
    const rows = page.locator('#users-table tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain('Björn Lindqvist');
    expect(await row.locator('fluent-badge').textContent()).toBe('Reconnect needed');
    expect(await row.textContent()).toContain('The connection was revoked, or the password changed');
    expect(await row.textContent()).toContain('token-revoked');
    const link = new URL(await row.getByLabel('Reconnect link: send it to the user').inputValue());
    expect(`${link.origin}${link.pathname}`).toBe(`${stack.endpoints.api}/connect`);
    expect(link.searchParams.get('login_hint')).toBe(bjorn);
    expect(page.url()).not.toContain('bjorn');
    await screenshot('users-reconnect');
  });

  it('when every page was used, then the browser reported no CSP violation and no script error', () => {
    // The settings page's refused values (a lead time of 99) are the only expected 400s.
    const unexpected = browserProblems.filter((text) => !/status of 400/.test(text));
    expect(unexpected).toEqual([]);
  });

  it('when a user without the admin role signs in, then the console refuses them', async () => {
    const other = await context
      .browser()
      ?.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1024, height: 768 } });
    const refusedPage = await other?.newPage();
    if (!other || !refusedPage) throw new Error('no second browser context');
    try {
      await signIn(refusedPage, 'bjorn@contoso.example');
      await expect.poll(() => refusedPage.locator('#refusal').textContent()).toContain('Access refused');
      expect(await refusedPage.locator('#refusal').textContent()).toContain('HybridCalendar.Admin');
      expect(await refusedPage.locator('#users-table').count()).toBe(0);
      if (screenshotFolder)
        await refusedPage.screenshot({ path: join(screenshotFolder, 'refused.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });
});
