import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
} from '../support/localStackProcess.js';

// The meetings API through `npm start`, with user tokens from the simulator's authorization-code flow.
let stack: LocalStackProcess;
let graphHeaders: Record<string, string>;
const tokens = new Map<string, string>();

function userId(mail: string): string {
  return stack.endpoints.users.find((user) => user.mail === mail)?.id ?? '';
}

/** Signs a demo user in as a browser would (authorize → redirect with code), then redeems the code with PKCE. */
async function userToken(mail: string): Promise<string> {
  const cached = tokens.get(mail);
  if (cached) return cached;
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${stack.endpoints.api}/auth/callback`;
  const scope = `api://${stack.endpoints.clientId}/access_as_user openid offline_access`;
  const authorize = new URL(`${stack.endpoints.authority}/oauth2/v2.0/authorize`);
  for (const [key, value] of Object.entries({
    client_id: stack.endpoints.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state: 's',
    login_hint: mail,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(key, value);
  }
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const token = await fetch(stack.endpoints.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: stack.endpoints.clientId,
      client_secret: stack.endpoints.clientSecret,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope,
    }),
  });
  const accessToken = ((await token.json()) as { access_token: string }).access_token;
  tokens.set(mail, accessToken);
  return accessToken;
}

async function api(
  mail: string,
  method: string,
  path: string,
  body?: unknown,
  asUser = mail,
): Promise<Response> {
  return fetch(`${stack.endpoints.api}/users/${userId(mail)}${path}`, {
    method,
    headers: { authorization: `Bearer ${await userToken(asUser)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

interface MeetingView {
  id: string;
  title: string;
  start: string;
  isOrganizer: boolean;
  join: { link: string | null; sipAddress: string | null } | null;
  invitees: Array<{ address: string; response: string | null }>;
}

async function meetings(mail: string): Promise<MeetingView[]> {
  return ((await (await api(mail, 'GET', '/meetings')).json()) as { meetings: MeetingView[] }).meetings;
}

function inDays(days: number, hour: number): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00Z`;
}

beforeAll(async () => {
  stack = await startLocalStackProcess();
  const accessToken = await graphAppToken(stack.endpoints);
  graphHeaders = {
    authorization: `Bearer ${accessToken}`,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await stack?.stop();
});

describe('the meetings API through the running stack', () => {
  let scheduledId = '';

  it('when a user schedules a meeting with @webex, then it comes back decorated in both lists with its join link', async () => {
    const scheduled = await api('alice@contoso.example', 'POST', '/meetings', {
      subject: 'Design review',
      start: inDays(2, 13),
      end: inDays(2, 14),
      attendees: ['bjorn@contoso.example', 'boardroom@contoso.example'],
      keyword: '@webex',
    });
    scheduledId = ((await scheduled.json()) as { id: string }).id;

    await expect
      .poll(
        async () =>
          (await meetings('alice@contoso.example')).find((meeting) => meeting.id === scheduledId)?.join?.link,
        { timeout: 10_000 },
      )
      .toBe('https://contoso.webex.com/meet/alice');
    await expect
      .poll(
        async () =>
          (await meetings('bjorn@contoso.example')).find((meeting) => meeting.title === 'Design review')?.join
            ?.link,
        { timeout: 10_000 },
      )
      .toBe('https://contoso.webex.com/meet/alice');
    const own = (await meetings('alice@contoso.example')).find((meeting) => meeting.id === scheduledId);

    expect(scheduled.status).toBe(201);
    expect(own).toMatchObject({
      title: 'Design review',
      isOrganizer: true,
      start: new Date(inDays(2, 13)).toISOString(),
      join: { sipAddress: 'alice@contoso.webex.com' },
    });
    expect(own?.invitees.map((invitee) => invitee.address)).toEqual([
      'bjorn@contoso.example',
      'boardroom@contoso.example',
    ]);
  });

  it('when an attendee declines, then the organiser’s event in Graph shows it', async () => {
    const invitation = (await meetings('bjorn@contoso.example')).find(
      (meeting) => meeting.title === 'Design review',
    );

    const declined = await api('bjorn@contoso.example', 'POST', `/meetings/${invitation?.id}/response`, {
      response: 'decline',
      comment: 'Away',
      sendResponse: true,
    });
    const view = await fetch(
      `${stack.endpoints.graph}/users/alice@contoso.example/calendarView?startDateTime=${inDays(2, 0)}&endDateTime=${inDays(3, 0)}`,
      { headers: graphHeaders },
    );
    const organizers = (
      (await view.json()) as {
        value: Array<{
          subject: string;
          attendees: Array<{ emailAddress: { address: string }; status: { response: string } }>;
        }>;
      }
    ).value.find((event) => event.subject === 'Design review');

    expect(declined.status).toBe(202);
    expect(
      organizers?.attendees.find((attendee) => attendee.emailAddress.address === 'bjorn@contoso.example')
        ?.status.response,
    ).toBe('declined');
    await expect
      .poll(
        async () =>
          (await meetings('bjorn@contoso.example')).some((meeting) => meeting.title === 'Design review'),
        { timeout: 10_000 },
      )
      .toBe(false);
  });

  it('when a user asks for another user’s meetings, then the answer is 403, administrators included', async () => {
    const asBjorn = await api(
      'alice@contoso.example',
      'GET',
      '/meetings',
      undefined,
      'bjorn@contoso.example',
    );
    const admin = (await (
      await fetch(`${stack.endpoints.graphControl}/tokens/api`, {
        method: 'POST',
        body: JSON.stringify({ user: 'alice@contoso.example' }),
      })
    ).json()) as { access_token: string };
    const asAdmin = await fetch(`${stack.endpoints.api}/users/${userId('bjorn@contoso.example')}/meetings`, {
      headers: { authorization: `Bearer ${admin.access_token}` },
    });
    const anonymous = await fetch(`${stack.endpoints.api}/users/${userId('bjorn@contoso.example')}/meetings`);

    expect([asBjorn.status, asAdmin.status, anonymous.status]).toEqual([403, 403, 401]);
    expect(await asBjorn.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('when free/busy is asked for, then each person and room has an availability view', async () => {
    const answer = await api('alice@contoso.example', 'POST', '/free-busy', {
      schedules: ['alice@contoso.example', 'boardroom@contoso.example'],
      from: inDays(2, 12),
      to: inDays(2, 15),
      intervalMinutes: 60,
    });
    const { schedules } = (await answer.json()) as {
      schedules: Array<{ schedule: string; availabilityView: string }>;
    };

    expect(answer.status).toBe(200);
    expect(schedules.map((schedule) => schedule.availabilityView)).toEqual(['020', '020']);
  });

  it('when bad requests come in, then each gets 400 or 404 with a reason and Graph sees no write', async () => {
    const stats = async () =>
      (
        (await (await fetch(`${stack.endpoints.graphControl}/stats`)).json()) as {
          mailboxes: Record<string, { byOperation: Record<string, number> }>;
        }
      ).mailboxes[userId('kenji@contoso.example')]?.byOperation ?? {};
    const before = await stats();
    const answers = await Promise.all([
      api('kenji@contoso.example', 'GET', `/meetings?from=${inDays(3, 0)}&to=${inDays(2, 0)}`),
      api('kenji@contoso.example', 'GET', `/meetings?from=${inDays(60, 0)}&to=${inDays(61, 0)}`),
      api('kenji@contoso.example', 'GET', '/meetings?from=2026-11-24T09:00:00'),
      api('kenji@contoso.example', 'POST', '/meetings/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/response', {
        response: 'accept',
      }),
      api('kenji@contoso.example', 'DELETE', '/meetings/nope'),
      api('kenji@contoso.example', 'POST', '/meetings', {
        subject: 'x',
        start: '2026-11-24T09:00:00',
        end: '2026-11-24T10:00:00',
        attendees: [],
      }),
      api('kenji@contoso.example', 'POST', '/meetings', {
        subject: 'x',
        start: inDays(2, 9),
        end: inDays(2, 10),
        attendees: Array.from({ length: 1_000 }, (_, i) => `p${i}@contoso.example`),
      }),
      api('kenji@contoso.example', 'POST', '/meetings', 'not json'),
      api('kenji@contoso.example', 'POST', '/meetings', {
        subject: 'x',
        start: inDays(2, 10),
        end: inDays(2, 9),
        attendees: [],
      }),
    ]);
    const after = await stats();

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 404, 404, 400, 400, 400, 400]);
    const reasons = await Promise.all(
      answers.map(async (answer) => ((await answer.json()) as { error: { message: string } }).error.message),
    );
    expect(reasons[0]).toContain('from must be before to');
    expect(reasons[2]).toContain('offset');
    expect(reasons[6]).toContain('500');
    expect(after['POST events'] ?? 0).toBe(before['POST events'] ?? 0);
  });

  it('when the organiser cancels, then the meeting leaves the list', async () => {
    const cancelled = await api('alice@contoso.example', 'DELETE', `/meetings/${scheduledId}`);

    expect(cancelled.status).toBe(204);
    await expect
      .poll(
        async () => (await meetings('alice@contoso.example')).some((meeting) => meeting.id === scheduledId),
        { timeout: 10_000 },
      )
      .toBe(false);
  });

  it('when the OpenAPI document is asked for, then it is served', async () => {
    const answer = await fetch(`${stack.endpoints.api}/openapi.json`);

    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});
