import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InProcessBus } from '../../dev/inProcessBus.js';
import { LocalFunctionsHost } from '../../dev/localHost.js';
import { complete, deadLetter, type MessageBus } from '../../shared/bus/messageBus.js';
import { AppError } from '../../shared/errors.js';
import type { FunctionDefinition } from '../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../shared/time/clock.js';
import { InMemoryDeadLetterRecords } from '../support/fakes/inMemoryDeadLetterRecords.js';

interface TestServices {
  bus: MessageBus;
  processed: unknown[];
  timerRuns: number;
}

const echoBodySchema = z.object({ text: z.string() });

const definitions: ReadonlyArray<FunctionDefinition<TestServices>> = [
  {
    kind: 'http',
    name: 'echo',
    route: 'users/{userId}/echo',
    methods: ['POST'],
    access: { kind: 'anonymous' },
    describe: { post: { summary: 'test route', responses: { '200': 'OK' } } },
    async handle(request) {
      const parsed = echoBodySchema.safeParse(await request.json().catch(() => undefined));
      if (!parsed.success) throw new AppError('input-invalid', 'body must be {"text": string}');
      return {
        status: 200,
        jsonBody: {
          userId: request.params.userId,
          text: parsed.data.text,
          tag: request.query.get('tag'),
          header: request.headers.get('x-test'),
        },
        headers: { 'x-answer': 'yes' },
      };
    },
  },
  {
    kind: 'http',
    name: 'enqueue',
    route: 'enqueue',
    methods: ['POST'],
    access: { kind: 'anonymous' },
    describe: { post: { summary: 'test route', responses: { '200': 'OK' } } },
    async handle(request, services) {
      await services.bus.send('work', { body: await request.json() });
      return { status: 202 };
    },
  },
  {
    kind: 'http',
    name: 'crash',
    route: 'crash',
    methods: ['GET'],
    access: { kind: 'anonymous' },
    describe: { get: { summary: 'test route', responses: { '200': 'OK' } } },
    async handle() {
      throw new Error('secret detail that must not leak');
    },
  },
  {
    kind: 'queue',
    name: 'work',
    queueName: 'work',
    async handle(message, services) {
      services.processed.push(message.body);
      return complete;
    },
  },
  {
    kind: 'queue',
    name: 'poison',
    queueName: 'poison',
    async handle() {
      return deadLetter('input-invalid', 'message body: eventId: expected string');
    },
  },
  {
    kind: 'timer',
    name: 'nightly',
    schedule: '0 0 3 * * *',
    async handle(services) {
      services.timerRuns += 1;
    },
  },
];

/**
 * Sends raw HTTP/1.1 over a socket (`head`, then `chunks` one by one until the server answers) and
 * resolves with the status line and how many body bytes were written before the answer came.
 */
function rawRequest(
  base: string,
  head: string,
  chunks: Iterable<Buffer>,
): Promise<{ statusLine: string; bytesWritten: number }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let bytesWritten = 0;
    let answered = false;
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      const statusLine = answer.split('\r\n')[0];
      if (!answered && statusLine !== undefined && answer.includes('\r\n')) {
        answered = true;
        resolve({ statusLine, bytesWritten });
        socket.destroy();
      }
    });
    // The server may close while bytes are still on their way; what counts is the answer it sent.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!answered) reject(new Error(`connection closed without an answer: ${answer}`));
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (const chunk of chunks) {
        if (answered || socket.destroyed) return;
        const flushed = socket.write(chunk);
        bytesWritten += chunk.length;
        if (!flushed) await new Promise((resume) => socket.once('drain', resume));
        // Give the server a turn to answer between chunks.
        await new Promise((resume) => setImmediate(resume));
      }
    });
  });
}

const tenantA = '11111111-1111-4111-8111-111111111111';

let host: LocalFunctionsHost<TestServices>;
let bus: InProcessBus;
let services: TestServices;
let deadLetters: InMemoryDeadLetterRecords;
let api: string;

beforeAll(async () => {
  bus = new InProcessBus({ clock: new ManualClock('2026-11-22T10:00:00Z') });
  services = { bus, processed: [], timerRuns: 0 };
  deadLetters = new InMemoryDeadLetterRecords();
  host = new LocalFunctionsHost({
    definitions,
    services,
    bus,
    deadLetters,
    clock: new ManualClock('2026-11-22T10:00:00Z'),
    port: 0,
    log: () => undefined,
    runTimers: false,
  });
  api = await host.start();
});

afterAll(async () => {
  await host?.stop();
  await bus?.close();
});

describe('LocalFunctionsHost', () => {
  it('when a request matches a route, then the handler gets params, query, headers and body', async () => {
    const response = await fetch(`${api}/users/u-1/echo?tag=t1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'h1' },
      body: JSON.stringify({ text: 'hello' }),
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(await response.json()).toEqual({ userId: 'u-1', text: 'hello', tag: 't1', header: 'h1' });
  });

  it('when the handler rejects the input, then the caller gets a 400 with the reason as JSON', async () => {
    const response = await fetch(`${api}/users/u-1/echo`, { method: 'POST', body: 'not json' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'input-invalid', message: 'body must be {"text": string}' },
    });
  });

  it('when the handler crashes, then the caller gets an opaque 500 and the host keeps serving', async () => {
    const response = await fetch(`${api}/crash`);
    const body = await response.text();

    expect(response.status).toBe(500);
    expect(body).not.toContain('secret detail');
    expect(
      (await fetch(`${api}/users/u-1/echo`, { method: 'POST', body: '{"text":"still up"}' })).status,
    ).toBe(200);
  });

  it('when a path parameter holds a malformed percent escape, then the answer is 400 with the reason, not 500', async () => {
    const response = await fetch(`${api}/users/%zz/echo`, { method: 'POST', body: '{"text":"x"}' });
    const lonePercent = await fetch(`${api}/users/a%/echo`, { method: 'POST', body: '{"text":"x"}' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'input-invalid', message: expect.stringContaining('userId') },
    });
    expect(lonePercent.status).toBe(400);
  });

  it('when the declared Content-Length is 99 MB, then 413 arrives before the body is sent', async () => {
    const head = `POST /api/users/u-1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${99 * 1024 * 1024}\r\n\r\n`;

    const answer = await rawRequest(api, head, [Buffer.from('{"text":')]);

    expect(answer.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.bytesWritten).toBeLessThan(1024);
  });

  it('when a chunked body runs to 10 MB, then reading stops at the limit with 413', async () => {
    const head =
      'POST /api/users/u-1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const piece = Buffer.alloc(256 * 1024, 0x61);
    const chunks = Array.from({ length: 40 }, () =>
      Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]),
    );

    const answer = await rawRequest(api, head, chunks);

    expect(answer.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.bytesWritten).toBeLessThan(10 * 1024 * 1024);
    expect(
      (await fetch(`${api}/users/u-1/echo`, { method: 'POST', body: '{"text":"still up"}' })).status,
    ).toBe(200);
  });

  it('when no route matches, then the answer is a 404 with a JSON body', async () => {
    const response = await fetch(`${api}/nowhere`);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('when the route exists but not for the method, then the answer is a 405 with a JSON body', async () => {
    const response = await fetch(`${api}/users/u-1/echo`);

    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ error: { code: 'method-not-allowed' } });
  });

  it('when an HTTP function sends to a queue, then the queue function receives the message', async () => {
    await fetch(`${api}/enqueue`, { method: 'POST', body: JSON.stringify({ job: 1 }) });
    await bus.idle();

    expect(services.processed).toContainEqual({ job: 1 });
  });

  it('when a queue function dead-letters, then the bus keeps the reason and the record store gets it too', async () => {
    await bus.send('poison', { body: { tenantId: tenantA, eventId: 7 }, messageId: 'p1' });
    await bus.idle();

    expect(bus.deadLetterQueue('poison')).toEqual([
      expect.objectContaining({ deadLetterReason: 'input-invalid' }),
    ]);
    expect(deadLetters.all()).toEqual([
      expect.objectContaining({
        queue: 'poison',
        messageId: 'p1',
        tenantId: tenantA,
        reason: 'input-invalid',
        description: 'message body: eventId: expected string',
      }),
    ]);
  });

  it('when a timer is invoked through the admin endpoint, then it runs once and 404 names unknown ones', async () => {
    const base = api.replace(/\/api$/, '');

    const invoked = await fetch(`${base}/admin/functions/nightly`, { method: 'POST', body: '{}' });
    const unknown = await fetch(`${base}/admin/functions/nope`, { method: 'POST' });

    expect(invoked.status).toBe(202);
    expect(services.timerRuns).toBe(1);
    expect(unknown.status).toBe(404);
  });

  it('when the clock of the services reaches a timer schedule, then the timer runs, whatever the date of the machine', async () => {
    const clock = new ManualClock('2031-05-04T02:59:59Z');
    const timerBus = new InProcessBus({ clock });
    const timerServices: TestServices = { bus: timerBus, processed: [], timerRuns: 0 };
    const timerHost = new LocalFunctionsHost({
      definitions,
      services: timerServices,
      bus: timerBus,
      clock,
      port: 0,
      log: () => undefined,
      timerTickMs: 5,
    });
    await timerHost.start();
    try {
      clock.advanceBy(1_000);
      await expect.poll(() => timerServices.timerRuns).toBe(1);

      // Two days later in one jump: a missed schedule runs once, then the next follows the clock.
      clock.advanceBy(2 * 86_400_000);
      await expect.poll(() => timerServices.timerRuns).toBe(2);
      clock.advanceBy(86_400_000);
      await expect.poll(() => timerServices.timerRuns).toBe(3);
    } finally {
      await timerHost.stop();
      await timerBus.close();
    }
  });
});
