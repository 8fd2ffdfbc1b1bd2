import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// Join notifications through `npm start`, moving the stack's one clock: meetings made through
// Graph's API as a client would; what was sent read back from the Webex simulator's control API and
// from a CloudEvents receiver that verifies signatures the way the README tells receivers to.
let stack: LocalStackProcess;
let graphHeaders: Record<string, string>;
let receiver: Server;
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const received: Array<{
  type: string;
  subject: string;
  data: { title: string; join: { sipAddress: string | null } };
}> = [];
const refused: string[] = [];

interface WebexMessage {
  toPersonEmail: string;
  card: {
    version: string;
    body: Array<{ text: string }>;
    actions: Array<{ type: string; title: string; url: string }>;
  };
}
interface WebexDevice {
  calendarEmail: string;
  bookings: Array<{
    Title: string;
    Number: string;
    Protocol: string;
    MeetingPlatform: string;
    Time: { StartTime: string };
  }>;
}

/** The README's snippet for receivers: verify, then parse. */
function verifyCloudEvent(body: string, headers: IncomingHttpHeaders): unknown {
  const webhook = new Webhook(secret);
  return webhook.verify(body, {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  });
}

async function stackNow(): Promise<Date> {
  return moveClock(0);
}

async function moveClock(advanceMs: number): Promise<Date> {
  const answer = await fetch(`${stack.endpoints.api.replace(/\/api$/, '')}/admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs }),
  });
  return new Date(((await answer.json()) as { now: string }).now);
}

async function webexMessages(): Promise<WebexMessage[]> {
  return (
    (await (await fetch(`${stack.endpoints.webex.control}/messages`)).json()) as { items: WebexMessage[] }
  ).items;
}

async function webexDevices(): Promise<WebexDevice[]> {
  return (
    (await (await fetch(`${stack.endpoints.webex.control}/devices`)).json()) as { items: WebexDevice[] }
  ).items;
}

function titled(messages: WebexMessage[], title: string): WebexMessage[] {
  return messages.filter((message) => message.card.body.some((block) => block.text === title));
}

async function createMeeting(
  organizer: string,
  subject: string,
  start: Date,
  attendees: string[],
): Promise<string> {
  const end = new Date(start.getTime() + 30 * 60_000);
  const answer = await fetch(`${stack.endpoints.graph}/users/${organizer}/events`, {
    method: 'POST',
    headers: graphHeaders,
    body: JSON.stringify({
      subject,
      body: { contentType: 'html', content: '<html><body><p>Agenda</p></body></html>' },
      location: { displayName: '@webex' },
      attendees: attendees.map((address) => ({ emailAddress: { address } })),
      start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: end.toISOString().slice(0, 19), timeZone: 'UTC' },
    }),
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { id: string }).id;
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      try {
        received.push(verifyCloudEvent(body, request.headers) as (typeof received)[number]);
        response.writeHead(204).end();
      } catch (error) {
        refused.push(String(error));
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  stack = await startLocalStackProcess({
    env: { CLOUDEVENTS_URL: `http://127.0.0.1:${port}/events`, CLOUDEVENTS_SECRET: secret },
  });
  graphHeaders = {
    authorization: `Bearer ${await graphAppToken(stack.endpoints)}`,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('Join notifications through the running stack', () => {
  const room = 'boardroom@contoso.example';
  let startsAt = new Date(0);
  let movedId = '';
  let cancelledId = '';

  it('when an @webex meeting with two invitees and the room is made 6 minutes ahead, then the room device lists it with its SIP number at once', async () => {
    const now = await stackNow();
    startsAt = new Date(Math.ceil((now.getTime() + 6 * 60_000) / 1000) * 1000);
    await createMeeting('alice@contoso.example', 'Quarterly review', startsAt, [
      'bjorn@contoso.example',
      'kenji@contoso.example',
      room,
    ]);
    movedId = await createMeeting('kenji@contoso.example', 'Moved standup', startsAt, [
      'alice@contoso.example',
    ]);
    cancelledId = await createMeeting('ayse@contoso.example', 'Cancelled sync', startsAt, [
      'bjorn@contoso.example',
    ]);
    await waitUntilQuiet(stack.endpoints);

    const device = (await webexDevices()).find((candidate) => candidate.calendarEmail === room);
    const booking = device?.bookings.find((entry) => entry.Title === 'Quarterly review');
    expect(booking).toMatchObject({
      Protocol: 'SIP',
      MeetingPlatform: 'Webex',
      Time: { StartTime: startsAt.toISOString() },
    });
    expect(booking?.Number).toMatch(/^alice@/);
    expect(await webexMessages()).toEqual([]);
  });

  it('when one meeting moves an hour and another is cancelled, then at start minus 5 minutes only the first is announced: one Webex message per person, in their language', async () => {
    const later = (offsetMs: number) => ({
      dateTime: new Date(startsAt.getTime() + offsetMs).toISOString().slice(0, 19),
      timeZone: 'UTC',
    });
    const moved = await fetch(`${stack.endpoints.graph}/users/kenji@contoso.example/events/${movedId}`, {
      method: 'PATCH',
      headers: graphHeaders,
      body: JSON.stringify({ start: later(3_600_000), end: later(3_600_000 + 30 * 60_000) }),
    });
    expect(moved.status).toBe(200);
    // The organiser deletes it: Graph cancels the attendees' copies.
    const cancelled = await fetch(
      `${stack.endpoints.graph}/users/ayse@contoso.example/events/${cancelledId}`,
      {
        method: 'DELETE',
        headers: graphHeaders,
      },
    );
    expect(cancelled.status).toBe(204);
    await waitUntilQuiet(stack.endpoints);

    await moveClock(startsAt.getTime() - 5 * 60_000 - (await stackNow()).getTime() + 1_000);
    await expect
      .poll(async () => titled(await webexMessages(), 'Quarterly review').length, { timeout: 20_000 })
      .toBe(3);
    await waitUntilQuiet(stack.endpoints);

    const messages = await webexMessages();
    const review = titled(messages, 'Quarterly review');
    expect(review.map((message) => message.toPersonEmail).sort()).toEqual([
      'alice@contoso.example',
      'bjorn@contoso.example',
      'kenji@contoso.example',
    ]);
    const buttonOf = (mail: string) =>
      review.find((message) => message.toPersonEmail === mail)?.card.actions[0];
    expect(buttonOf('bjorn@contoso.example')).toMatchObject({ type: 'Action.OpenUrl', title: 'Anslut' });
    expect(buttonOf('kenji@contoso.example')).toMatchObject({ type: 'Action.OpenUrl', title: '参加' });
    expect(buttonOf('alice@contoso.example')?.title).toBe('Join');
    expect(buttonOf('alice@contoso.example')?.url).toMatch(/^https:\/\/.+\/meet\/alice$/);
    expect(review.every((message) => message.card.version === '1.3')).toBe(true);
    expect(titled(messages, 'Moved standup')).toEqual([]);
    expect(titled(messages, 'Cancelled sync')).toEqual([]);
    expect(messages).toHaveLength(3);
  });

  it('when the clock reaches the moved meeting’s new time, then it is announced then, once', async () => {
    await moveClock(60 * 60_000);
    await expect
      .poll(async () => titled(await webexMessages(), 'Moved standup').length, { timeout: 20_000 })
      .toBe(2);
    await waitUntilQuiet(stack.endpoints);
    const messages = await webexMessages();
    expect(titled(messages, 'Moved standup')).toHaveLength(2);
    expect(titled(messages, 'Cancelled sync')).toEqual([]);
  });

  it('when integrations are configured, then they got signed CloudEvents that verify, for the announced meetings only', async () => {
    expect(refused).toEqual([]);
    const due = received.filter((event) => event.type === 'com.hybridcalendar.join.due');
    expect(due.map((event) => event.data.title).sort()).toEqual(['Moved standup', 'Quarterly review']);
    expect(due.find((event) => event.data.title === 'Quarterly review')?.data.join.sipAddress).toMatch(
      /^alice@/,
    );
  });
});
