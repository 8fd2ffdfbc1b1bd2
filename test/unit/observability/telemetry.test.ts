import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../../dev/inProcessBus.js';
import { graphOperation } from '../../../shared/adapters/graph/graphCalendarGateway.js';
import { PersonalDataFilter } from '../../../shared/adapters/openTelemetry/personalDataFilter.js';
import { toServiceBusMessage } from '../../../shared/adapters/serviceBus/serviceBusMessageBus.js';
import { complete, type ReceivedMessage } from '../../../shared/bus/messageBus.js';
import {
  inHttpServerSpan,
  inQueueConsumerSpan,
  routeTemplate,
  withTraceContext,
} from '../../../shared/observability/telemetry.js';
import { ManualClock } from '../../../shared/time/clock.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  spanProcessors: [new PersonalDataFilter(), new SimpleSpanProcessor(exporter)],
});
beforeAll(() => {
  // As the local stack does: the tracer provider, the async context manager, the W3C propagator.
  provider.register();
});

afterEach(() => exporter.reset());

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('route templates', () => {
  it('when a Graph path names a mailbox and an event, then the operation keeps only the fixed words', () => {
    expect(graphOperation('PATCH', '/users/ayse%40contoso.example/events/AAMkAD%3D')).toBe(
      'PATCH /users/{id}/events/{id}',
    );
    expect(
      graphOperation(
        'GET',
        'https://graph.microsoft.com/v1.0/users/1e0d4b8a-0001/calendarView/delta?$deltatoken=abc',
      ),
    ).toBe('GET /users/{id}/calendarView/delta');
  });

  it('when a path carries an address in its query, then the template drops the query', () => {
    expect(
      routeTemplate(
        '/meetingPreferences/personalMeetingRoom?userEmail=a%40b.example',
        new Set(['meetingPreferences', 'personalMeetingRoom']),
      ),
    ).toBe('/meetingPreferences/personalMeetingRoom');
  });
});

describe('the personal data filter', () => {
  it('when a span carries attributes off the allow-list, a status message and exception text, then only allowed ones are exported', async () => {
    await trace.getTracer('third-party').startActiveSpan('GET', { kind: SpanKind.CLIENT }, async (span) => {
      span.setAttributes({
        'url.full': 'https://graph.microsoft.com/v1.0/users/ayse@contoso.example/events',
        'http.request.method': 'GET',
        'enduser.id': 'ayse@contoso.example',
      });
      span.recordException(new Error('meeting "Budget" of ayse@contoso.example failed'));
      span.setStatus({ code: 2, message: 'ayse@contoso.example' });
      span.end();
    });

    const [exported] = exporter.getFinishedSpans();
    expect(exported?.attributes).toEqual({ 'http.request.method': 'GET' });
    expect(
      JSON.stringify({
        name: exported?.name,
        attributes: exported?.attributes,
        status: exported?.status,
        events: exported?.events,
      }),
    ).not.toMatch(/contoso|Budget/);
    expect(exported?.events[0]?.attributes).toEqual({ 'exception.type': 'Error' });
  });
});

describe('trace context across the queue', () => {
  it('when a message is sent inside a span, then its application properties carry the W3C traceparent', async () => {
    const message = await inHttpServerSpan(
      'graphNotifications',
      'POST',
      'notifications',
      context.active(),
      async () => {
        const outgoing = withTraceContext({ body: {}, applicationProperties: { retryAttempt: 1 } });
        return { status: 202, outgoing, traceId: trace.getActiveSpan()?.spanContext().traceId };
      },
    );

    const mapped = toServiceBusMessage(message.outgoing);
    expect(mapped.applicationProperties?.retryAttempt).toBe(1);
    expect(String(mapped.applicationProperties?.traceparent)).toMatch(
      new RegExp(`^00-${message.traceId}-[0-9a-f]{16}-01$`),
    );
  });

  it('when outside any span, then the message is sent as it is (a retry copy keeps its trace)', () => {
    const message = { body: {}, applicationProperties: { traceparent: '00-aa-bb-01' } };

    expect(withTraceContext(message)).toBe(message);
  });

  it('when the in-process bus delivers a message sent in a span, then the consumer span continues that trace', async () => {
    const clock = new ManualClock('2026-06-01T08:00:00Z');
    const bus = new InProcessBus({ clock });
    const consumed: string[] = [];
    bus.subscribe('event-changes', (received: ReceivedMessage) =>
      inQueueConsumerSpan('eventChanges', 'event-changes', received, context.active(), async (span) => {
        consumed.push(span.spanContext().traceId);
        return complete;
      }),
    );
    try {
      const sentTraceId = await inHttpServerSpan(
        'graphNotifications',
        'POST',
        'notifications',
        context.active(),
        async () => {
          await bus.send('event-changes', { body: { n: 1 }, messageId: 'm-1' });
          return { status: 202, traceId: trace.getActiveSpan()?.spanContext().traceId };
        },
      );
      await bus.idle();

      expect(consumed).toEqual([sentTraceId.traceId]);
      const spans = exporter.getFinishedSpans();
      const server = spans.find((span) => span.kind === SpanKind.SERVER);
      const consumer = spans.find((span) => span.kind === SpanKind.CONSUMER);
      expect(consumer?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
      expect(consumer?.attributes['messaging.destination.name']).toBe('event-changes');
    } finally {
      await bus.close();
    }
  });
});
