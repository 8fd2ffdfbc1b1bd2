import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import {
  authorizeCaller,
  type Caller,
  type RouteAccess,
  type RouteAccessContext,
} from '../auth/routeAccess.js';
import { type DeadLetterRecords, deadLetterRecordFor } from '../bus/deadLetterRecords.js';
import {
  deadLetter,
  type MessageBus,
  type ReceivedMessage,
  retryAttemptProperty,
  retryCopy,
  type Settlement,
} from '../bus/messageBus.js';
import { AppError, isAppError, isTransient } from '../errors.js';
import {
  hostTraceContext,
  inHttpServerSpan,
  inQueueConsumerSpan,
  inTimerSpan,
  recordDeadLetteredMessage,
} from '../observability/telemetry.js';
import { responseForError } from './httpResponses.js';

/**
 * Function definitions: the one list of the app's functions. The Azure entry point registers them
 * with `app.http/serviceBusQueue/timer`; the local host in `dev/` serves the same list. Each handler
 * receives the narrow context its use case declares (see `withContext`), so both hosts run
 * identical code and no handler reaches for more than it needs.
 */
export interface HttpFunctionDefinition<S> {
  kind: 'http';
  name: string;
  /** A Functions route template under `/api`, e.g. `users/{userId}`. */
  route: string;
  methods: HttpMethod[];
  /** Who may call it: enforced by the hosting layer before `handle`, and stated in the OpenAPI document. */
  access: RouteAccess;
  /** The route in the OpenAPI document, per method (lower case), from the same declaration. */
  describe: Partial<Record<Lowercase<HttpMethod>, OperationDescription>>;
  handle(
    request: HttpRequest,
    services: S,
    context: InvocationContext,
    caller: Caller,
  ): Promise<HttpResponseInit>;
}

/** What the OpenAPI document says of one operation; bodies are described from their zod schemas. */
export interface OperationDescription {
  summary: string;
  body?: z.ZodType;
  /** How the body is sent: JSON unless said otherwise (the onboarding pages post HTML forms). */
  bodyContentType?: 'application/json' | 'application/x-www-form-urlencoded';
  /** Query parameter name -> description. */
  query?: Record<string, string>;
  /** HTTP status -> description. */
  responses: Record<string, string>;
}

export interface QueueFunctionDefinition<S> {
  kind: 'queue';
  name: string;
  queueName: string;
  /**
   * A session-enabled queue (`sessionQueueNames`): the trigger takes one session at a time, so the
   * messages of one mailbox are processed one at a time, on one instance.
   */
  sessions?: boolean;
  /** Returns how to settle the message. Throw a transient error to have it tried again later. */
  handle(message: ReceivedMessage, services: S, context: InvocationContext): Promise<Settlement>;
  /** How transient failures are retried; the default suits Graph and Webex outages. */
  retry?: TransientRetryPolicy;
}

/** Scheduled retries of transient failures: exponential pauses, then the dead-letter queue. */
export interface TransientRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Long enough to outlast a real outage: Graph keeps redelivering a notification for up to 4 hours,
 * and a change it already delivered must not be given up sooner. Pauses of 5 s, 10 s, 20 s …
 * 1,280 s (nine, 2,555 s in all), then seven of 30 minutes: sixteen pauses of 15,155 s (4 h 12 min
 * 35 s) between seventeen attempts; the seventeenth failure dead-letters with `retries-exhausted`.
 */
export const defaultTransientRetry: TransientRetryPolicy = {
  maxAttempts: 17,
  baseDelayMs: 5_000,
  maxDelayMs: 30 * 60_000,
};

/** The pause after failed attempt `attempt` (from 1): doubling, at least what the peer asked, capped. */
function transientDelayMs(policy: TransientRetryPolicy, attempt: number, askedMs = 0): number {
  return Math.min(policy.maxDelayMs, Math.max(askedMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

/** The pause after each failed attempt but the last, as `settleQueueMessage` schedules them (no Retry-After). */
export function retryDelaysMs(policy: TransientRetryPolicy): number[] {
  return Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, index) =>
    transientDelayMs(policy, index + 1),
  );
}

export interface TimerFunctionDefinition<S> {
  kind: 'timer';
  name: string;
  /** Six-field NCRONTAB: second minute hour day month day-of-week, in UTC. */
  schedule: string;
  handle(services: S, context: InvocationContext): Promise<void>;
}

export type FunctionDefinition<S> =
  | HttpFunctionDefinition<S>
  | QueueFunctionDefinition<S>
  | TimerFunctionDefinition<S>;

/**
 * Runs a queue handler and turns what it threw into a settlement: permanent failures are
 * dead-lettered with their code and message at once; transient ones become `retry-later` (the same
 * message scheduled again after a growing pause, see `TransientRetryPolicy`) until the attempts
 * run out, then the dead-letter queue with reason `retries-exhausted`.
 */
export function settleQueueMessage<S>(
  definition: QueueFunctionDefinition<S>,
  message: ReceivedMessage,
  services: S,
  context: InvocationContext,
): Promise<Settlement> {
  // One consumer span per delivery, continuing the trace the message carries across the queue.
  return inQueueConsumerSpan(
    definition.name,
    definition.queueName,
    message,
    hostTraceContext(context.traceContext),
    async (span) => {
      const settlement = await settleInSpan(definition, message, services, context);
      span.setAttribute('hybrid_calendar.settlement', settlement.outcome);
      if (settlement.outcome === 'retry-later') {
        span.setAttribute('hybrid_calendar.retry_attempt', settlement.attempt);
        span.setAttribute('error.type', settlement.reason);
      }
      if (settlement.outcome === 'dead-letter')
        span.setAttribute('hybrid_calendar.dead_letter.reason', settlement.reason);
      return settlement;
    },
  );
}

async function settleInSpan<S>(
  definition: QueueFunctionDefinition<S>,
  message: ReceivedMessage,
  services: S,
  context: InvocationContext,
): Promise<Settlement> {
  try {
    return await definition.handle(message, services, context);
  } catch (error) {
    const description = error instanceof Error ? error.message : String(error);
    const reason = isAppError(error) ? error.code : 'unexpected';
    if (isTransient(error)) {
      const policy = definition.retry ?? defaultTransientRetry;
      const previous = Number(message.applicationProperties[retryAttemptProperty] ?? 0);
      const attempt = Number.isInteger(previous) && previous >= 0 ? previous + 1 : 1;
      if (attempt < policy.maxAttempts) {
        const asked = isAppError(error) ? (error.retryAfterMs ?? 0) : 0;
        const delayMs = transientDelayMs(policy, attempt, asked);
        context.warn(
          `${definition.name}: ${reason}; trying again in ${Math.round(delayMs / 1000)} s (attempt ${attempt + 1})`,
        );
        return { outcome: 'retry-later', delayMs, attempt, reason };
      }
      context.warn(
        `${definition.name}: dead-lettering message ${message.messageId ?? '(no id)'} after ${attempt} attempts: ${reason}`,
      );
      return deadLetter('retries-exhausted', `${reason}: ${description}`);
    }
    context.warn(`${definition.name}: dead-lettering message ${message.messageId ?? '(no id)'}: ${reason}`);
    return deadLetter(reason, description);
  }
}

/**
 * Carries out a settlement that needs the bus: a retry-later schedules the next attempt, after which
 * the received copy is complete. Both hosts call this, so retries behave the same locally and in Azure.
 */
export async function settleWithBus(
  bus: MessageBus,
  queueName: string,
  message: ReceivedMessage,
  settlement: Settlement,
  now: Date,
): Promise<Exclude<Settlement, { outcome: 'retry-later' }>> {
  if (settlement.outcome !== 'retry-later') return settlement;
  await bus.schedule(
    queueName,
    retryCopy(message, settlement.attempt),
    new Date(now.getTime() + settlement.delayMs),
  );
  return { outcome: 'complete' };
}

/**
 * Saves why a message is dead-lettered, for the admin API: in Azure, Service Bus cannot be told (see
 * `MessageActions.deadletter` in `azureFunctionsHost.ts`); locally the in-process bus keeps the
 * reason too. When the record cannot be written, the reason goes to the log instead and the message
 * is dead-lettered all the same: it is kept either way.
 */
export async function recordDeadLetter(
  deadLetters: DeadLetterRecords,
  queueName: string,
  message: ReceivedMessage,
  dead: { reason: string; description: string },
  now: Date,
  context: InvocationContext,
): Promise<void> {
  recordDeadLetteredMessage(queueName, dead.reason);
  const record = deadLetterRecordFor(queueName, message, dead, now);
  try {
    await deadLetters.save(record);
  } catch (error) {
    const code = isAppError(error) ? error.code : 'unexpected';
    context.error(
      `${queueName}: dead-lettering message ${record.messageId ?? '(no id)'} (${dead.reason}: ${dead.description}); its record could not be saved (${code})`,
    );
  }
}

/**
 * A path parameter still holding a `%` escape that is not two hex digits: ASP.NET Core's routing
 * (the Functions host) passes `%zz` on undecoded rather than failing, and so does the local host.
 * None of the service's ids holds a `%`, so such a value is refused before any handler sees it.
 */
function refuseMalformedPathParameters(params: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(params)) {
    if (/%(?![0-9A-Fa-f]{2})/.test(value)) {
      throw new AppError('input-invalid', `The path parameter ${name} holds a malformed percent escape.`);
    }
  }
}

/**
 * Runs an HTTP handler after checking its caller against the route's declared access (401, 403 or
 * 404 before any handler code runs); whatever it throws becomes a JSON error answer (4xx with the
 * reason for our own errors, an opaque 500 otherwise), so no request ever crashes the host.
 */
export function answerHttpRequest<S>(
  definition: HttpFunctionDefinition<S>,
  request: HttpRequest,
  services: S,
  context: InvocationContext,
  routeAccess?: RouteAccessContext,
): Promise<HttpResponseInit> {
  // A server span named by the route template: the URL may hold ids and addresses.
  return inHttpServerSpan(
    definition.name,
    request.method,
    definition.route,
    hostTraceContext(context.traceContext),
    () => answerInSpan(definition, request, services, context, routeAccess),
  );
}

/** Runs a timer function in its span; both hosts call it. */
export function runTimerFunction<S>(
  definition: TimerFunctionDefinition<S>,
  services: S,
  context: InvocationContext,
): Promise<void> {
  return inTimerSpan(definition.name, hostTraceContext(context.traceContext), () =>
    definition.handle(services, context),
  );
}

async function answerInSpan<S>(
  definition: HttpFunctionDefinition<S>,
  request: HttpRequest,
  services: S,
  context: InvocationContext,
  routeAccess?: RouteAccessContext,
): Promise<HttpResponseInit> {
  try {
    refuseMalformedPathParameters(request.params);
    const access = definition.access;
    let caller: Caller = { kind: 'anonymous' };
    if (access.kind !== 'anonymous' && access.kind !== 'graph-webhook') {
      // Fail closed: a protected route on a host that cannot check callers answers nobody.
      if (!routeAccess) throw new Error(`${definition.name}: no caller check configured`);
      caller = await authorizeCaller(routeAccess, access, {
        authorization: request.headers.get('authorization'),
        params: request.params,
      });
    }
    return await definition.handle(request, services, context, caller);
  } catch (error) {
    const response = responseForError(error);
    const code = isAppError(error) ? error.code : 'unexpected';
    context.error(`${definition.name}: answered ${response.status} (${code})`);
    return response;
  }
}

/**
 * Gives a function the narrow context its use case declares, picked from the composed services:
 * the function list binds each definition once, so handlers never see the whole service bag.
 */
export function withContext<C, S>(
  definition: FunctionDefinition<C>,
  select: (services: S) => C,
): FunctionDefinition<S> {
  switch (definition.kind) {
    case 'http':
      return {
        ...definition,
        handle: (request, services, context, caller) =>
          definition.handle(request, select(services), context, caller),
      };
    case 'queue':
      return {
        ...definition,
        handle: (message: ReceivedMessage, services: S, context: InvocationContext) =>
          definition.handle(message, select(services), context),
      };
    case 'timer':
      return {
        ...definition,
        handle: (services: S, context: InvocationContext) => definition.handle(select(services), context),
      };
  }
}
