import { z } from 'zod';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';

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

/** Which event's trace: one per event and user. `id` is `keyOf(event id)`. */
export interface TraceKey {
  id: string;
  userId: string;
  tenantId: string;
}

/**
 * The trace with one more entry, keeping the last 20. `lastChangeKey` undefined keeps the one stored;
 * null forgets it.
 */
export function withTraceEntry(
  stored: EventTrace | undefined,
  key: TraceKey,
  entry: TraceEntry,
  lastChangeKey?: string | null,
): EventTrace {
  return {
    ...key,
    entries: [...(stored?.entries ?? []), entry].slice(-keptEntries),
    lastChangeKey: lastChangeKey === undefined ? (stored?.lastChangeKey ?? null) : lastChangeKey,
    ttl: traceTtlSeconds,
  };
}
