import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type HrTime, SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';

function isoOf(time: HrTime): string {
  return new Date(time[0] * 1000 + Math.floor(time[1] / 1e6)).toISOString();
}

/** A span as one JSON line of the local telemetry file. */
export interface SpanLine {
  type: 'span';
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  status: number;
  start: string;
  durationMs: number;
}

/** A metric's points as one JSON line of the local telemetry file. */
export interface MetricLine {
  type: 'metric';
  name: string;
  unit: string;
  points: Array<{ attributes: Record<string, unknown>; value: unknown }>;
}

/**
 * Spans and metrics as JSON lines appended to one file (`OTEL_LOCAL_EXPORT=file:<path>`), so a trace
 * can be followed locally without Azure: `grep <trace id> <path>`. Written synchronously: the local
 * stack is the only writer and a test reads the file while it runs.
 */
export class LocalTelemetryFile implements SpanExporter, PushMetricExporter {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  #append(lines: ReadonlyArray<SpanLine | MetricLine>, done: (result: ExportResult) => void): void {
    try {
      if (lines.length > 0)
        appendFileSync(this.#path, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  export(items: ReadableSpan[] | ResourceMetrics, done: (result: ExportResult) => void): void {
    if (Array.isArray(items)) {
      this.#append(
        items.map((span) => ({
          type: 'span',
          traceId: span.spanContext().traceId,
          spanId: span.spanContext().spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          name: span.name,
          kind: SpanKind[span.kind],
          attributes: { ...span.attributes },
          status: span.status.code,
          start: isoOf(span.startTime),
          durationMs: span.duration[0] * 1000 + span.duration[1] / 1e6,
        })),
        done,
      );
      return;
    }
    this.#append(
      items.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((metric) => ({
          type: 'metric' as const,
          name: metric.descriptor.name,
          unit: metric.descriptor.unit,
          points: metric.dataPoints.map((point) => ({
            attributes: { ...point.attributes },
            value: point.value,
          })),
        })),
      ),
      done,
    );
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
