import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  deadLetter,
  type MessageBus,
  type ReceivedMessage,
  retryAttemptProperty,
  retryCopy,
  type Settlement,
} from '../bus/messageBus.js';
import { isAppError, isTransient } from '../errors.js';
import { responseForError } from './httpResponses.js';

/**
 * Function definitions: the one list of the app's functions. The Azure entry point registers them
 * with `app.http/serviceBusQueue/timer`; the local host in `dev/` serves the same list. Each handler
 * receives the composed services, so both hosts run identical code.
 */
export interface HttpFunctionDefinition<S> {
  kind: 'http';
  name: string;
  /** A Functions route template under `/api`, e.g. `users/{userId}`. */
  route: string;
  methods: HttpMethod[];
  handle(request: HttpRequest, services: S, context: InvocationContext): Promise<HttpResponseInit>;
}

export interface QueueFunctionDefinition<S> {
  kind: 'queue';
  name: string;
  queueName: string;
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

/** About an hour and a half of patience in all: 5 s, 10 s, 20 s … capped at 30 minutes, 8 tries. */
export const defaultTransientRetry: TransientRetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 30 * 60_000,
};

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
 * dead-lettered with their code and message at once; transient ones are rethrown so that the bus
 * delivers the message again (and dead-letters it after the maximum delivery count).
 */
export async function settleQueueMessage<S>(
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
        const delayMs = Math.min(policy.maxDelayMs, Math.max(asked, policy.baseDelayMs * 2 ** (attempt - 1)));
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
 * Runs an HTTP handler; whatever it throws becomes a JSON error answer (4xx with the reason for our
 * own errors, an opaque 500 otherwise), so no request ever crashes the host.
 */
export async function answerHttpRequest<S>(
  definition: HttpFunctionDefinition<S>,
  request: HttpRequest,
  services: S,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  try {
    return await definition.handle(request, services, context);
  } catch (error) {
    const response = responseForError(error);
    const code = isAppError(error) ? error.code : 'unexpected';
    context.error(`${definition.name}: answered ${response.status} (${code})`);
    return response;
  }
}
