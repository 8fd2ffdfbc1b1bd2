import { z } from 'zod';
import { hasErrorCode } from '../errors.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';

/**
 * "Why was this meeting (not) decorated?": each decision on an event, without personal data in
 * clear (no subject, body, address or link): the rule, the language, what Graph answered.
 */
export const traceEntrySchema = z.object({
  at: z.iso.datetime(),
  source: z.string(),
  changeType: z.string(),
  outcome: z.string(),
  rule: z.string().nullable(),
  language: z.string().nullable(),
  graph: z.string().nullable(),
  detail: z.string().nullable(),
});
export type TraceEntry = z.infer<typeof traceEntrySchema>;

/** The admin API's trace query: which event. */
export const traceQuerySchema = z.object({ eventId: z.string().min(1).max(512) });

export const eventTraceSchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  tenantId: z.string().min(1),
  entries: z.array(traceEntrySchema).max(50),
  /** Graph's change key after the last processing: a change with this key has been handled already. */
  lastChangeKey: z.string().nullable().default(null),
  ttl: z.number().int().positive(),
});
export type EventTrace = z.infer<typeof eventTraceSchema>;
export const eventTraces: CollectionDefinition<EventTrace> = {
  ...containerLayouts.traces,
  schema: eventTraceSchema,
};

const keptEntries = 20;
const traceTtlSeconds = 45 * 86_400;

/** Adds an entry to an event's trace, keeping the last 20; a conditional write, retried on races. */
export async function appendTrace(
  traces: DocumentCollection<EventTrace>,
  clock: Clock,
  key: { id: string; userId: string; tenantId: string },
  entry: Omit<TraceEntry, 'at'>,
  lastChangeKey?: string | null,
): Promise<void> {
  const full: TraceEntry = { at: clock.now().toISOString(), ...entry };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await traces.read(key.id, key.userId);
    const next: EventTrace = {
      ...key,
      entries: [...(stored?.value.entries ?? []), full].slice(-keptEntries),
      lastChangeKey: lastChangeKey === undefined ? (stored?.value.lastChangeKey ?? null) : lastChangeKey,
      ttl: traceTtlSeconds,
    };
    try {
      if (stored) await traces.replace(next, { ifMatch: stored.etag });
      else await traces.create(next);
      return;
    } catch (error) {
      if (!hasErrorCode(error, 'precondition-failed') && !hasErrorCode(error, 'already-exists')) throw error;
    }
  }
}
