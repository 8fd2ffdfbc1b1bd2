import type { EventTrace, TraceEntry, TraceKey } from './eventTrace.js';

/** The events' decision traces (Cosmos DB in production). */
export interface EventTraces {
  find(key: Pick<TraceKey, 'id' | 'userId'>): Promise<EventTrace | undefined>;
  /**
   * Adds an entry (see `withTraceEntry`), and sets the last handled change key unless it is
   * undefined. Concurrent appends all land: a lost race is tried again, and one that keeps losing
   * fails with `dependency-unavailable`, never silently.
   */
  append(key: TraceKey, entry: TraceEntry, lastChangeKey?: string | null): Promise<void>;
}
