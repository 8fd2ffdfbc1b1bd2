import {
  type Attributes,
  type Context,
  type Counter,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Histogram,
  type MeterProvider,
  metrics,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ApplicationPropertyValue, OutgoingMessage } from '../bus/messageBus.js';
import { isAppError } from '../errors.js';

/**
 * Traces and metrics through the OpenTelemetry API: a no-op until the entry point starts an SDK
 * (`shared/adapters/openTelemetry/telemetrySetup.ts`), so the code that makes spans is the same in
 * Azure, under the local stack and in tests.
 *
 * No personal data: span names are route templates, attributes come from `allowedSpanAttributes`
 * (a span processor drops any other, including those of third-party instrumentation), and errors
 * are described by their code only, never their message.
 */
export const instrumentationScope = 'hybrid-calendar';

/** Every attribute a span or metric may carry. None can hold an address, a name, a subject or an id of a person. */
export const allowedSpanAttributes: ReadonlySet<string> = new Set([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'server.address',
  'messaging.system',
  'messaging.operation.type',
  'messaging.destination.name',
  'error.type',
  'faas.trigger',
  'faas.invocation_id',
  'hybrid_calendar.function',
  'hybrid_calendar.graph.operation',
  'hybrid_calendar.webex.operation',
  'hybrid_calendar.delivery_count',
  'hybrid_calendar.retry_attempt',
  'hybrid_calendar.settlement',
  'hybrid_calendar.dead_letter.reason',
  'hybrid_calendar.outcome',
]);

function tracer() {
  return trace.getTracer(instrumentationScope);
}

/** Runs `work` in a span that ends with it; a failure marks the span with the error's code only. */
async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setAttribute('error.type', isAppError(error) ? error.code : 'unexpected');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

const propagator = new W3CTraceContextPropagator();

/** The context a trace parent (`traceparent`, `tracestate`) names, on top of `base`. */
function contextFrom(carrier: Readonly<Record<string, unknown>>, base: Context): Context {
  const text: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = carrier[key];
    if (typeof value === 'string') text[key] = value;
  }
  return propagator.extract(base, text, defaultTextMapGetter);
}

/** The context the Functions host gave the invocation (`InvocationContext.traceContext`), if any. */
export function hostTraceContext(
  traceContext: { traceParent?: string | undefined; traceState?: string | undefined } | undefined,
): Context {
  if (!traceContext?.traceParent) return context.active();
  return contextFrom(
    { traceparent: traceContext.traceParent, tracestate: traceContext.traceState },
    context.active(),
  );
}

/**
 * The message with the current span's W3C trace context in its application properties
 * (`traceparent`, `tracestate`), so the consumer continues the same trace across the queue. Outside
 * any span the message keeps what it carries (a retry copy keeps its original trace).
 */
export function withTraceContext(message: OutgoingMessage): OutgoingMessage {
  if (!trace.getSpanContext(context.active())) return message;
  const carrier: Record<string, string> = {};
  propagator.inject(context.active(), carrier, defaultTextMapSetter);
  if (!carrier.traceparent) return message;
  const properties: Record<string, ApplicationPropertyValue> = {
    ...(message.applicationProperties ?? {}),
    ...carrier,
  };
  return { ...message, applicationProperties: properties };
}

/** A server span around an HTTP function, named by its route template (never its URL). */
export function inHttpServerSpan<T extends { status?: number | undefined }>(
  functionName: string,
  method: string,
  routeTemplate: string,
  parent: Context,
  work: () => Promise<T>,
): Promise<T> {
  const route = `/api/${routeTemplate}`;
  return inSpan(
    `${method} ${route}`,
    SpanKind.SERVER,
    {
      'http.request.method': method,
      'http.route': route,
      'faas.trigger': 'http',
      'hybrid_calendar.function': functionName,
    },
    parent,
    async (span) => {
      const result = await work();
      const status = result.status ?? 200;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    },
  );
}

/**
 * A consumer span around a queue function. Its parent is the trace context the message carries
 * (the webhook's span, across the queue), else the host's.
 */
export function inQueueConsumerSpan<T>(
  functionName: string,
  queueName: string,
  message: { applicationProperties: Readonly<Record<string, unknown>>; deliveryCount: number },
  hostContext: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const carried = typeof message.applicationProperties.traceparent === 'string';
  const parent = carried ? contextFrom(message.applicationProperties, ROOT_CONTEXT) : hostContext;
  return inSpan(
    `process ${queueName}`,
    SpanKind.CONSUMER,
    {
      'messaging.system': 'servicebus',
      'messaging.operation.type': 'process',
      'messaging.destination.name': queueName,
      'faas.trigger': 'pubsub',
      'hybrid_calendar.function': functionName,
      'hybrid_calendar.delivery_count': message.deliveryCount,
    },
    parent,
    work,
  );
}

/** An internal span around a timer function. */
export function inTimerSpan<T>(functionName: string, parent: Context, work: () => Promise<T>): Promise<T> {
  return inSpan(
    `timer ${functionName}`,
    SpanKind.INTERNAL,
    { 'faas.trigger': 'timer', 'hybrid_calendar.function': functionName },
    parent,
    work,
  );
}

/**
 * A client span around one HTTP call to a dependency. `operation` is a route template such as
 * `PATCH /users/{id}/events/{id}` (see `routeTemplate`), never a URL.
 */
export function inClientSpan<T>(
  service: 'graph' | 'webex',
  operation: string,
  serverAddress: string,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const method = operation.split(' ')[0] ?? 'GET';
  return inSpan(
    `${service} ${operation}`,
    SpanKind.CLIENT,
    {
      'http.request.method': method,
      'server.address': serverAddress,
      [`hybrid_calendar.${service}.operation`]: operation,
    },
    context.active(),
    work,
  );
}

/**
 * The route template of a request path: segments named in `staticSegments` are kept, every other
 * one (ids, addresses, principal names) becomes `{id}`, and the query is dropped.
 */
export function routeTemplate(path: string, staticSegments: ReadonlySet<string>): string {
  const [pathOnly = ''] = path.split('?');
  return pathOnly
    .split('/')
    .map((segment) => (segment === '' || staticSegments.has(segment) ? segment : '{id}'))
    .join('/');
}

interface Instruments {
  provider: MeterProvider;
  decorationLatency: Histogram;
  graphRequests: Counter;
  graphThrottled: Counter;
  deadLetters: Counter;
}

let instruments: Instruments | undefined;

/** The instruments of the current global meter provider (created again if the SDK was started since). */
function meterInstruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  const meter = provider.getMeter(instrumentationScope);
  instruments = {
    provider,
    decorationLatency: meter.createHistogram('hybrid_calendar.notification_to_decoration', {
      unit: 'ms',
      description: 'From a change notification observed to the meeting decorated in Graph',
    }),
    graphRequests: meter.createCounter('hybrid_calendar.graph.requests', {
      description: 'Graph requests (each attempt) by operation and status code',
    }),
    graphThrottled: meter.createCounter('hybrid_calendar.graph.throttled', {
      description: 'Graph answers 429 by operation',
    }),
    deadLetters: meter.createCounter('hybrid_calendar.dead_letters', {
      description: 'Messages dead-lettered, by queue and reason',
    }),
  };
  return instruments;
}

/** Records how long a notified change took to reach Graph as a decoration. */
export function recordNotificationToDecoration(latencyMs: number): void {
  meterInstruments().decorationLatency.record(Math.max(0, latencyMs));
}

/** Counts one Graph request attempt; a 429 is counted again as throttled. Status 0: unreachable. */
export function recordGraphRequest(operation: string, status: number): void {
  const { graphRequests, graphThrottled } = meterInstruments();
  graphRequests.add(1, {
    'hybrid_calendar.graph.operation': operation,
    'http.response.status_code': status,
  });
  if (status === 429) graphThrottled.add(1, { 'hybrid_calendar.graph.operation': operation });
}

/** Counts a dead-lettered message; `reason` is a machine code such as `schema-invalid`. */
export function recordDeadLetteredMessage(queueName: string, reason: string): void {
  meterInstruments().deadLetters.add(1, {
    'messaging.destination.name': queueName,
    'hybrid_calendar.dead_letter.reason': reason,
  });
}
