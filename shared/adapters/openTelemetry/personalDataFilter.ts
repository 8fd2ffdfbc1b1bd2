import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { allowedSpanAttributes } from '../../observability/telemetry.js';

/** The one attribute an exception event keeps: its type, never its message or stack (they can quote data). */
const allowedEventAttributes: ReadonlySet<string> = new Set(['exception.type']);

function keepOnly(attributes: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(attributes)) if (!allowed.has(key)) delete attributes[key];
}

/**
 * The no-personal-data rule for every span, ours and third-party instrumentation's alike: attributes
 * outside the allow-list (`allowedSpanAttributes`) are dropped, so are status messages and all but
 * the type of an event, before any exporter sees the span. Exporters read spans after `onEnd`, so
 * the order of processors does not matter.
 */
export class PersonalDataFilter implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    keepOnly(span.attributes as Record<string, unknown>, allowedSpanAttributes);
    const status = span.status as { message?: string };
    delete status.message;
    for (const event of span.events) {
      if (event.attributes) keepOnly(event.attributes as Record<string, unknown>, allowedEventAttributes);
    }
    for (const link of span.links) {
      if (link.attributes) keepOnly(link.attributes as Record<string, unknown>, allowedSpanAttributes);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
