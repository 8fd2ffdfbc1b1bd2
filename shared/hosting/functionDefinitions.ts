import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { deadLetter, type ReceivedMessage, type Settlement } from '../bus/messageBus.js';
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
  /** Returns how to settle the message. Throw a transient error to have it delivered again. */
  handle(message: ReceivedMessage, services: S, context: InvocationContext): Promise<Settlement>;
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
    if (isTransient(error)) throw error;
    const reason = isAppError(error) ? error.code : 'permanent-failure';
    const description = error instanceof Error ? error.message : String(error);
    context.warn(`${definition.name}: dead-lettering message ${message.messageId ?? '(no id)'}: ${reason}`);
    return deadLetter(reason, description);
  }
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
