import {
  type EventTrace,
  eventTraceSchema,
  type TraceEntry,
  type TraceKey,
  withTraceEntry,
} from '../../../shared/meetings/eventTrace.js';
import type { EventTraces } from '../../../shared/meetings/eventTraces.js';

/** Event traces in memory, appended to as the Cosmos adapter appends (`withTraceEntry`). */
export class InMemoryEventTraces implements EventTraces {
  readonly #stored = new Map<string, EventTrace>();

  seed(...traces: EventTrace[]): void {
    for (const trace of traces) this.#stored.set(keyOf(trace), eventTraceSchema.parse(trace));
  }

  async find(key: Pick<TraceKey, 'id' | 'userId'>): Promise<EventTrace | undefined> {
    const trace = this.#stored.get(keyOf(key));
    return trace ? structuredClone(trace) : undefined;
  }

  async append(key: TraceKey, entry: TraceEntry, lastChangeKey?: string | null): Promise<void> {
    this.seed(withTraceEntry(this.#stored.get(keyOf(key)), key, entry, lastChangeKey));
  }
}

function keyOf(key: Pick<TraceKey, 'id' | 'userId'>): string {
  return `${key.userId}|${key.id}`;
}
