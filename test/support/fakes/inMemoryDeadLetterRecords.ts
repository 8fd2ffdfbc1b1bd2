import {
  type DeadLetterFilter,
  type DeadLetterRecord,
  type DeadLetterRecords,
  deadLetterRecordSchema,
} from '../../../shared/bus/deadLetterRecords.js';

/** Dead-letter records in memory, keyed by queue and id as the Cosmos adapter keys them. */
export class InMemoryDeadLetterRecords implements DeadLetterRecords {
  readonly #stored = new Map<string, DeadLetterRecord>();

  async save(record: DeadLetterRecord): Promise<void> {
    this.#stored.set(`${record.queue}|${record.id}`, deadLetterRecordSchema.parse(record));
  }

  async remove(record: Pick<DeadLetterRecord, 'id' | 'queue'>): Promise<void> {
    this.#stored.delete(`${record.queue}|${record.id}`);
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    return [...this.#stored.values()]
      .filter((record) => record.tenantId === filter.tenantId)
      .filter((record) => filter.reason === undefined || record.reason === filter.reason)
      .sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt))
      .map((record) => structuredClone(record));
  }

  /** Every record, for assertions. */
  all(): DeadLetterRecord[] {
    return [...this.#stored.values()].map((record) => structuredClone(record));
  }
}
