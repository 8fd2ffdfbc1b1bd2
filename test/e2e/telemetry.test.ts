import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricLine, SpanLine } from '../../shared/adapters/openTelemetry/localTelemetryFile.js';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// OpenTelemetry through `npm start` with OTEL_LOCAL_EXPORT=file:<path>: one notification followed
// from the webhook across the queue to Graph, and nothing personal in any span, metric or log line.
let stack: LocalStackProcess;
let telemetryFile: string;
const organizer = 'ayse@contoso.example';
const subject = 'Quarterly telemetry budget review';
const emailAddress = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/;

async function telemetryLines(): Promise<Array<SpanLine | MetricLine>> {
  const text = await readFile(telemetryFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanLine | MetricLine);
}

const spansOf = (lines: Array<SpanLine | MetricLine>) =>
  lines.filter((line): line is SpanLine => line.type === 'span');

beforeAll(async () => {
  telemetryFile = join(await mkdtemp(join(tmpdir(), 'hybrid-calendar-otel-')), 'telemetry.jsonl');
  stack = await startLocalStackProcess({
    env: { OTEL_LOCAL_EXPORT: `file:${telemetryFile}` },
    timeoutMs: 150_000,
  });
  // `npm start` builds first; on a busy machine that alone can take a minute.
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('telemetry through the running stack (OTEL_LOCAL_EXPORT=file)', () => {
  it('when a notification leads to a decoration, then the webhook, queue consumer and Graph PATCH spans share one trace', async () => {
    const headers = {
      authorization: `Bearer ${await graphAppToken(stack.endpoints)}`,
      'content-type': 'application/json',
    };
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const created = await fetch(`${stack.endpoints.graph}/users/${organizer}/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        subject,
        body: { contentType: 'html', content: '<html><body><p>Agenda</p></body></html>' },
        location: { displayName: '@webex' },
        attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
        start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      }),
    });
    const eventId = ((await created.json()) as { id: string }).id;
    await expect
      .poll(
        async () => {
          const event = (await (
            await fetch(`${stack.endpoints.graph}/users/${organizer}/events/${eventId}`, { headers })
          ).json()) as { body: { content: string } };
          return event.body.content.includes('data-hybrid-calendar-join');
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
    await waitUntilQuiet(stack.endpoints);
    // The metric reader exports every two seconds: wait for the decoration's latency to be written.
    await expect
      .poll(
        async () =>
          (await telemetryLines()).some(
            (line) => line.type === 'metric' && line.name === 'hybrid_calendar.notification_to_decoration',
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    const spans = spansOf(await telemetryLines());
    const webhooks = spans.filter(
      (span) => span.name === 'POST /api/notifications' && span.kind === 'SERVER',
    );
    const patches = spans.filter((span) => span.name === 'graph PATCH /users/{id}/events/{id}');

    const linked = webhooks.flatMap((webhook) => {
      const trace = spans.filter((span) => span.traceId === webhook.traceId);
      const consumer = trace.find(
        (span) => span.name === 'process event-changes' && span.parentSpanId !== undefined,
      );
      const patch = patches.find((span) => span.traceId === webhook.traceId);
      return consumer && patch ? [{ webhook, consumer, patch, trace }] : [];
    });

    expect(linked.length).toBeGreaterThanOrEqual(1);
    const [{ webhook, consumer, patch, trace }] = linked as [(typeof linked)[number]];
    expect(consumer.kind).toBe('CONSUMER');
    expect(consumer.attributes['messaging.destination.name']).toBe('event-changes');
    expect(patch.kind).toBe('CLIENT');
    expect(patch.attributes['http.response.status_code']).toBe(200);
    // The consumer continues the webhook's trace (a parent in it), and the PATCH is inside the consumer.
    expect(trace.some((span) => span.spanId === consumer.parentSpanId)).toBe(true);
    expect(patch.parentSpanId).toBe(consumer.spanId);
    expect(webhook.attributes['http.route']).toBe('/api/notifications');
    // The Webex call that found the join details is in the same trace, as a client span.
    expect(trace.some((span) => span.name.startsWith('webex ') && span.kind === 'CLIENT')).toBe(true);
    console.log(
      `trace ${webhook.traceId}: ${trace.length} spans (${[...new Set(trace.map((span) => span.name))].join(', ')})`,
    );
  });

  it('when the Graph calls are counted, then the request metric names operations by route template', async () => {
    const metrics = (await telemetryLines()).filter((line): line is MetricLine => line.type === 'metric');
    const graphRequests = metrics.filter((metric) => metric.name === 'hybrid_calendar.graph.requests');

    const operations = new Set(
      graphRequests.flatMap((metric) =>
        metric.points.map((point) => point.attributes['hybrid_calendar.graph.operation']),
      ),
    );
    expect(operations).toContain('PATCH /users/{id}/events/{id}');
  });

  it('when every span, metric and log line is scanned, then no e-mail address and no meeting subject is found', async () => {
    const lines = (await readFile(telemetryFile, 'utf8')).split('\n');
    const logLines = stack.output().split('\n');

    const leaks = [...lines, ...logLines].filter(
      (line) => emailAddress.test(line) || line.includes(subject) || line.includes('Quarterly'),
    );

    expect(lines.length).toBeGreaterThan(10);
    expect(leaks).toEqual([]);
  });
});
