import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { defaultFaultSeed, RandomStreams, seedSchema } from './seededRandom.js';
import { type SimulatedAnswer, type SimulatedWorkspace, WebexJoinApi } from './webexJoinApi.js';

function send(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(
    status,
    body === undefined
      ? {}
      : { 'content-type': 'application/json', trackingid: `SIM_${randomBytes(6).toString('hex')}` },
  );
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

function sendAnswer(response: ServerResponse, answer: SimulatedAnswer): void {
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    trackingid: `SIM_${randomBytes(6).toString('hex')}`,
    ...answer.headers,
  });
  response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 1_000_000) return undefined;
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

function digits(seed: string, length: number): string {
  const hash = createHash('sha256').update(seed).digest();
  return Array.from(hash.subarray(0, length), (byte) => String(byte % 10)).join('');
}

/**
 * The Webex APIs the service uses, in Webex's documented shapes: a host's Personal Room
 * (`meetingPreferences/personalMeetingRoom`), spaces, memberships, a space's `meetingInfo`, and
 * `people/me` (the health check's call).
 * Bearer token checked; a control API injects 5xx (drawn from a seeded stream, so a run can be
 * replayed) and counts calls.
 */
export class WebexSimulator {
  readonly accessToken = `sim-webex-${randomBytes(16).toString('hex')}`;
  readonly rooms = new Map<string, { title: string; members: string[] }>();
  readonly calls = new Map<string, number>();
  serverErrorRate = 0;
  /** Injected 5xx are drawn from the stream `webex.serverError` of these. */
  readonly faultRandom: RandomStreams;
  /** Messages, workspaces and devices, `Bookings.Put` (Join notifications). */
  readonly join: WebexJoinApi;
  #server: Server | undefined;
  #baseUrl = '';
  readonly #tls: { cert: string; key: string };
  readonly #port: number;
  readonly #siteDomain: string;

  constructor(options: {
    tls: { cert: string; key: string };
    port: number;
    siteDomain?: string;
    /** Seed of the injected 5xx; default 1. */
    faultSeed?: number;
    /** Workspaces whose calendar is a room mailbox, each with one device. */
    workspaces?: readonly SimulatedWorkspace[];
  }) {
    this.join = new WebexJoinApi(options.workspaces ?? []);
    this.faultRandom = new RandomStreams(options.faultSeed ?? defaultFaultSeed);
    this.#tls = options.tls;
    this.#port = options.port;
    this.#siteDomain = options.siteDomain ?? 'contoso.webex.com';
  }

  /** The seed injected 5xx are drawn from. */
  get faultSeed(): number {
    return this.faultRandom.seed;
  }

  /** Starts the fault stream again from `seed`: the same requests then meet the same 5xx. */
  reseedFaults(seed: number): void {
    this.faultRandom.reseed(seed);
  }

  /** `https://127.0.0.1:{port}/v1`. */
  get baseUrl(): string {
    return `${this.#baseUrl}/v1`;
  }

  async start(): Promise<string> {
    const server = createServer(this.#tls, (request, response) => {
      this.#serve(request, response).catch(() => send(response, 500, { message: 'simulator failure' }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.#baseUrl);
    const method = request.method ?? 'GET';
    const faults = () => ({ serverErrorRate: this.serverErrorRate, seed: this.faultSeed });
    if (url.pathname === '/_control/faults' && method === 'GET') return send(response, 200, faults());
    if (url.pathname === '/_control/faults' && method === 'POST') {
      const parsed = z
        .object({ serverErrorRate: z.number().min(0).max(1).optional(), seed: seedSchema.optional() })
        .strict()
        .refine((input) => input.serverErrorRate !== undefined || input.seed !== undefined)
        .safeParse(await readJson(request));
      if (!parsed.success)
        return send(response, 400, {
          message: 'serverErrorRate (0 to 1) or seed (integer, 0 to 4294967295) is required',
        });
      if (parsed.data.serverErrorRate !== undefined) this.serverErrorRate = parsed.data.serverErrorRate;
      if (parsed.data.seed !== undefined) this.reseedFaults(parsed.data.seed);
      return send(response, 200, faults());
    }
    if (this.join.owns(method, url.pathname) && url.pathname.startsWith('/_control/')) {
      const answer = this.join.control(
        method,
        url.pathname,
        method === 'POST' ? await readJson(request) : undefined,
      );
      if (answer) return sendAnswer(response, answer);
    }
    if (url.pathname === '/_control/stats' && method === 'GET')
      return send(response, 200, { calls: Object.fromEntries(this.calls) });
    const key = `${method} ${url.pathname.replace(/\/rooms\/[^/]+/, '/rooms/{id}')}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (request.headers.authorization !== `Bearer ${this.accessToken}`) {
      return send(response, 401, {
        message: 'The request requires a valid access token set in the Authorization request header.',
        errors: [{ description: 'Unauthorized' }],
      });
    }
    if (this.faultRandom.stream('webex.serverError').chance(this.serverErrorRate))
      return send(response, 503, { message: 'Service Unavailable' });
    if (this.join.owns(method, url.pathname)) {
      const joinAnswer = this.join.handle(
        method,
        url,
        method === 'POST' ? await readJson(request) : undefined,
      );
      if (joinAnswer) return sendAnswer(response, joinAnswer);
    }
    if (url.pathname === '/v1/people/me' && method === 'GET') {
      // The token's own identity: the service app (a bot here), as Webex answers for its token.
      return send(response, 200, {
        id: `Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Qt${digits(this.accessToken, 12)}`,
        emails: ['hybrid-calendar@webex.bot'],
        phoneNumbers: [],
        displayName: 'Hybrid Calendar',
        nickName: 'Hybrid Calendar',
        orgId: 'Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9jb250b3Nv',
        created: '2026-01-01T00:00:00.000Z',
        status: 'unknown',
        type: 'bot',
      });
    }
    if (url.pathname === '/v1/meetingPreferences/personalMeetingRoom' && method === 'GET') {
      const email = url.searchParams.get('userEmail')?.toLowerCase();
      if (!email || !/^[^@\s]+@[^@\s]+$/.test(email))
        return send(response, 400, { message: 'userEmail is required' });
      const name = (email.split('@')[0] ?? '').replace(/[^a-z0-9.]/g, '');
      const accessCode = digits(email, 10);
      return send(response, 200, {
        topic: `${name}'s Personal Room`,
        hostPin: digits(`pin:${email}`, 4),
        personalMeetingRoomLink: `https://${this.#siteDomain}/meet/${name}`,
        enabledAutoShareRecording: false,
        enabledAutoLock: false,
        autoLockMinutes: 0,
        sipAddress: `${name}@${this.#siteDomain}`,
        dialInIpAddress: '173.243.2.68',
        telephony: {
          accessCode,
          callInNumbers: [{ label: 'US Toll', callInNumber: '+1-415-655-0001', tollType: 'toll' }],
          links: [],
        },
      });
    }
    if (url.pathname === '/v1/rooms' && method === 'POST') {
      const parsed = z.object({ title: z.string().min(1).max(100) }).safeParse(await readJson(request));
      if (!parsed.success) return send(response, 400, { message: 'title is required' });
      const id = `Y2lzY29zcGFyazovL3VzL1JPT00v${randomBytes(18).toString('base64url')}`;
      this.rooms.set(id, { title: parsed.data.title, members: [] });
      return send(response, 200, {
        id,
        title: parsed.data.title,
        type: 'group',
        isLocked: false,
        created: new Date().toISOString(),
      });
    }
    if (url.pathname === '/v1/memberships' && method === 'GET') {
      const roomId = url.searchParams.get('roomId') ?? '';
      const room = this.rooms.get(roomId);
      if (!room) return send(response, 404, { message: 'The requested resource could not be found.' });
      return send(response, 200, {
        items: room.members.map((personEmail, index) => ({ id: `${roomId}:${index}`, roomId, personEmail })),
      });
    }
    if (url.pathname === '/v1/memberships' && method === 'POST') {
      const parsed = z
        .object({ roomId: z.string(), personEmail: z.string() })
        .safeParse(await readJson(request));
      const room = parsed.success ? this.rooms.get(parsed.data.roomId) : undefined;
      if (!parsed.success || !room)
        return send(response, 404, { message: 'The requested resource could not be found.' });
      room.members.push(parsed.data.personEmail.toLowerCase());
      return send(response, 200, {
        id: randomBytes(12).toString('base64url'),
        roomId: parsed.data.roomId,
        personEmail: parsed.data.personEmail,
      });
    }
    const meetingInfo = /^\/v1\/rooms\/([^/]+)\/meetingInfo$/.exec(url.pathname);
    if (meetingInfo && method === 'GET') {
      const id = decodeURIComponent(meetingInfo[1] ?? '');
      if (!this.rooms.has(id))
        return send(response, 404, { message: 'The requested resource could not be found.' });
      const number = digits(id, 10);
      return send(response, 200, {
        roomId: id,
        meetingLink: `https://${this.#siteDomain}/m/${number}`,
        sipAddress: `${number}@${this.#siteDomain}`,
        meetingNumber: number,
        callInTollNumber: '+1-415-655-0002',
      });
    }
    return send(response, 404, { message: 'The requested resource could not be found.' });
  }
}
