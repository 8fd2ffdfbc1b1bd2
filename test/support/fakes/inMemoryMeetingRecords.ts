import { type MeetingRecord, meetingRecordSchema } from '../../../shared/meetings/meetingRecord.js';
import type { MeetingRecords } from '../../../shared/meetings/meetingRecords.js';

/**
 * Meeting records in memory, with the Cosmos adapter's semantics. Records are parsed with the stored
 * schema on the way in and copied on the way out.
 */
export class InMemoryMeetingRecords implements MeetingRecords {
  readonly #stored = new Map<string, MeetingRecord>();

  /** Stores records as given: the Arrange step of a test. */
  seed(...records: MeetingRecord[]): void {
    for (const record of records)
      this.#stored.set(keyOf(record.userId, record.id), meetingRecordSchema.parse(record));
  }

  /** The user's records, by start. */
  of(userId: string): MeetingRecord[] {
    return [...this.#stored.values()]
      .filter((record) => record.userId === userId)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((record) => structuredClone(record));
  }

  async find(userId: string, recordId: string): Promise<MeetingRecord | undefined> {
    const record = this.#stored.get(keyOf(userId, recordId));
    return record ? structuredClone(record) : undefined;
  }

  async save(record: MeetingRecord): Promise<void> {
    this.seed(record);
  }

  async remove(userId: string, recordId: string): Promise<void> {
    this.#stored.delete(keyOf(userId, recordId));
  }

  async occurrencesOf(userId: string, seriesKey: string): Promise<MeetingRecord[]> {
    return this.of(userId).filter((record) => record.seriesKey === seriesKey);
  }

  async between(userId: string, range: { from: Date; to: Date }): Promise<MeetingRecord[]> {
    return this.of(userId).filter(
      (record) =>
        Date.parse(record.start) < range.to.getTime() && Date.parse(record.end) > range.from.getTime(),
    );
  }

  async bookingRoom(
    tenantId: string,
    roomKey: string,
    range: { from: Date; to: Date },
  ): Promise<MeetingRecord[]> {
    return [...this.#stored.values()]
      .filter(
        (record) =>
          record.tenantId === tenantId &&
          (record.roomKeys ?? []).includes(roomKey) &&
          Date.parse(record.start) < range.to.getTime() &&
          Date.parse(record.end) > range.from.getTime(),
      )
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((record) => structuredClone(record));
  }
}

function keyOf(userId: string, recordId: string): string {
  return `${userId}|${recordId}`;
}
