import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvocationContext as InvocationContextType, LogLevel } from '@azure/functions';
import { Cron } from 'croner';
import type { RouteAccessContext } from '../shared/auth/routeAccess.js';
import type { DeadLetterRecords } from '../shared/bus/deadLetterRecords.js';
import { HttpRequest, HttpResponse, InvocationContext } from '../shared/hosting/azureFunctionsRuntime.js';
import {
  answerHttpRequest,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  recordDeadLetter,
  runTimerFunction,
  settleQueueMessage,
  settleWithBus,
  type TimerFunctionDefinition,
} from '../shared/hosting/functionDefinitions.js';
import type { Clock } from '../shared/time/clock.js';
import type { InProcessBus } from './inProcessBus.js';
import { type CompiledRoute, compileRoute } from './routeTemplate.js';

export interface LocalHostOptions<S> {
  definitions: ReadonlyArray<FunctionDefinition<S>>;
  services: S;
  bus: InProcessBus;
  port: number;
  host?: string;
  /** Where the functions' logs go; the default prints them with the function's name. */
  log?: (level: LogLevel, functionName: string, message: string) => void;
  /** The services' clock: retries are scheduled by it and timers fire when it reaches their next run. */
  clock: Clock;
  /** How callers of protected routes are checked (the composed services' own check). */
  routeAccess?: RouteAccessContext;
  /** Where dead-letter reasons are recorded for the admin API (the composed services' records). */
  deadLetters?: DeadLetterRecords;
  /** Run timers on their schedules (default true); tests switch this off and fire them on demand. */
  runTimers?: boolean;
  /** How often timers look at the clock (default 1 s); moving the clock ahead fires them within that. */
  timerTickMs?: number;
  /** Local-only diagnostics under `/admin/...` besides function invocation (queues, clock). */
  adminRoutes?: (
    method: string,
    path: string,
    body: unknown,
  ) => Promise<{ status: number; body: unknown } | undefined>;
}

/**
 * What the local host buffers of one request body. The Functions host allows 100 MB, but no route
 * here reads more than 2 MiB (`readJsonBody` 256 KiB to 1 MiB, notifications 2 MiB), so a few MiB
 * bound the memory a caller can make the stack hold; each route's own limit then applies within.
 */
export const maxRequestBodyBytes = 4 * 1024 * 1024;

function defaultLog(level: LogLevel, functionName: string, message: string): void {
  if (level === 'trace' || level === 'debug') return;
  const line = `[${new Date().toISOString()}] ${functionName}: ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else console.log(line);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/**
 * 413 without buffering the rest of the body. Bytes the client is still sending are dropped unread
 * for at most a second, then the connection is cut: closing at once, with unread bytes, resets the
 * connection, and the reset can overtake the 413 on its way to the client.
 */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse): void {
  request.removeAllListeners('data');
  request.on('data', () => undefined);
  request.resume();
  setTimeout(() => {
    if (!request.complete) request.destroy();
  }, 1_000).unref();
  sendJson(response, 413, {
    error: { code: 'payload-too-large', message: `The body is over ${maxRequestBodyBytes} bytes.` },
  });
}

/** Whether the declared Content-Length is already over the host's limit (checked before reading). */
function declaredTooLarge(request: IncomingMessage): boolean {
  const declared = Number(request.headers['content-length'] ?? '0');
  return Number.isFinite(declared) && declared > maxRequestBodyBytes;
}

/** Reads the body up to the host's limit; undefined (and reading stopped) as soon as it is over. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxRequestBodyBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}

interface ScheduledTimer<S> {
  definition: TimerFunctionDefinition<S>;
  /** The NCRONTAB pattern, used only to compute run times (never started on the machine's clock). */
  pattern: Cron;
  nextRunMs: number;
  running: boolean;
}

/**
 * A small stand-in for the Azure Functions host, for `npm start` and end-to-end tests: HTTP triggers
 * under `/api`, Service Bus triggers fed by the in-process bus, timers on their NCRONTAB schedules,
 * and `POST /admin/functions/{name}` to run a timer on demand, as the real host offers.
 */
export class LocalFunctionsHost<S> {
  readonly #options: LocalHostOptions<S>;
  readonly #routes: Array<{ definition: HttpFunctionDefinition<S>; route: CompiledRoute }>;
  readonly #timers: Array<ScheduledTimer<S>> = [];
  #timerTick: NodeJS.Timeout | undefined;
  #server: Server | undefined;

  constructor(options: LocalHostOptions<S>) {
    this.#options = options;
    this.#routes = options.definitions
      .filter((definition): definition is HttpFunctionDefinition<S> => definition.kind === 'http')
      .map((definition) => ({ definition, route: compileRoute(definition.route) }));
  }

  #context(functionName: string): InvocationContextType {
    const log = this.#options.log ?? defaultLog;
    return new InvocationContext({
      functionName,
      invocationId: crypto.randomUUID(),
      logHandler: (level, ...args) => log(level, functionName, args.map(String).join(' ')),
    });
  }

  /** Starts listening and consuming; resolves with the base URL of the HTTP functions. */
  async start(): Promise<string> {
    const { definitions, services, bus } = this.#options;
    for (const definition of definitions) {
      if (definition.kind === 'queue') {
        bus.subscribe(definition.queueName, async (message) => {
          const context = this.#context(definition.name);
          const settlement = await settleWithBus(
            bus,
            definition.queueName,
            message,
            await settleQueueMessage(definition, message, services, context),
            this.#options.clock.now(),
          );
          // The in-process bus keeps the reason with the message; the record is what the admin API reads, as in Azure.
          if (settlement.outcome === 'dead-letter' && this.#options.deadLetters) {
            await recordDeadLetter(
              this.#options.deadLetters,
              definition.queueName,
              message,
              settlement,
              this.#options.clock.now(),
              context,
            );
          }
          return settlement;
        });
      } else if (definition.kind === 'timer' && this.#options.runTimers !== false) {
        this.#timers.push(this.#scheduleOnClock(definition));
      }
    }
    if (this.#timers.length > 0) {
      this.#timerTick = setInterval(() => this.#fireDueTimers(), this.#options.timerTickMs ?? 1_000);
      this.#timerTick.unref();
    }
    const server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        console.error('local host: request failed', error instanceof Error ? error.message : error);
        if (!response.headersSent)
          sendJson(response, 500, { error: { code: 'internal-error', message: 'host failure' } });
        else response.end();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    return `http://${this.#options.host ?? '127.0.0.1'}:${address.port}/api`;
  }

  /**
   * A timer follows the services' clock, not the machine's: its next run is computed from the clock
   * and it fires once the clock has reached it. A clock moved past several runs fires it once, as
   * the Functions host does with a schedule it missed while asleep.
   */
  #scheduleOnClock(definition: TimerFunctionDefinition<S>): ScheduledTimer<S> {
    const pattern = new Cron(definition.schedule, { timezone: 'UTC', paused: true });
    return { definition, pattern, nextRunMs: this.#nextRunAfter(pattern), running: false };
  }

  #nextRunAfter(pattern: Cron): number {
    const next = pattern.nextRun(this.#options.clock.now());
    return next ? next.getTime() : Number.POSITIVE_INFINITY;
  }

  #fireDueTimers(): void {
    const nowMs = this.#options.clock.now().getTime();
    for (const timer of this.#timers) {
      // One run at a time per timer, like the host's singleton lock for timer triggers.
      if (timer.running || timer.nextRunMs > nowMs) continue;
      timer.running = true;
      this.#runTimer(timer.definition)
        .catch(() => undefined)
        .finally(() => {
          timer.running = false;
          timer.nextRunMs = this.#nextRunAfter(timer.pattern);
        });
    }
  }

  async #runTimer(definition: TimerFunctionDefinition<S>): Promise<void> {
    const context = this.#context(definition.name);
    try {
      await runTimerFunction(definition, this.#options.services, context);
    } catch (error) {
      context.error(`timer failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const method = (request.method ?? 'GET').toUpperCase();
    const invoke = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
    // Function names are plain identifiers: no decoding, so `%zz` is just a name no function has.
    if (invoke && method === 'POST') return this.#invokeByName(invoke[1] ?? '', response);
    if (declaredTooLarge(request)) return refuseTooLarge(request, response);
    if (url.pathname.startsWith('/admin/') && this.#options.adminRoutes) {
      const raw = await readBody(request);
      if (raw === undefined) return refuseTooLarge(request, response);
      let body: unknown;
      try {
        body = raw && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        return sendJson(response, 400, {
          error: { code: 'input-invalid', message: 'The body must be JSON.' },
        });
      }
      const answer = await this.#options.adminRoutes(method, url.pathname.slice('/admin'.length), body);
      if (answer) return sendJson(response, answer.status, answer.body);
    }
    if (!url.pathname.startsWith('/api/')) {
      return sendJson(response, 404, {
        error: { code: 'not-found', message: `No function at ${url.pathname}` },
      });
    }
    const path = url.pathname.slice('/api'.length);
    const candidates = this.#routes
      .map(({ definition, route }) => ({ definition, params: route.match(path) }))
      .filter((candidate) => candidate.params !== undefined);
    if (candidates.length === 0) {
      return sendJson(response, 404, {
        error: { code: 'not-found', message: `No function at ${url.pathname}` },
      });
    }
    const chosen = candidates.find(({ definition }) => definition.methods.includes(method as never));
    if (!chosen) {
      return sendJson(response, 405, {
        error: { code: 'method-not-allowed', message: `${method} is not allowed here` },
      });
    }
    const body = await readBody(request);
    if (body === undefined) return refuseTooLarge(request, response);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const httpRequest = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query: Object.fromEntries(url.searchParams),
      params: chosen.params ?? {},
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const init = await answerHttpRequest(
      chosen.definition,
      httpRequest,
      this.#options.services,
      this.#context(chosen.definition.name),
      this.#options.routeAccess,
    );
    const httpResponse = new HttpResponse(init);
    const responseHeaders: Record<string, string> = {};
    httpResponse.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    response.writeHead(httpResponse.status, responseHeaders);
    response.end(Buffer.from(await httpResponse.arrayBuffer()));
  }

  /** Runs a non-HTTP function now. Unlike the real host it answers once the run finished. */
  async #invokeByName(name: string, response: ServerResponse): Promise<void> {
    const definition = this.#options.definitions.find((candidate) => candidate.name === name);
    if (definition?.kind !== 'timer') {
      return sendJson(response, 404, {
        error: { code: 'not-found', message: `No timer function named ${name}` },
      });
    }
    try {
      await this.#runTimer(definition);
      sendJson(response, 202, { function: name, outcome: 'completed' });
    } catch (error) {
      sendJson(response, 500, {
        error: { code: 'function-failed', message: error instanceof Error ? error.message : String(error) },
      });
    }
  }

  async stop(): Promise<void> {
    if (this.#timerTick) clearInterval(this.#timerTick);
    for (const timer of this.#timers) timer.pattern.stop();
    const server = this.#server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
