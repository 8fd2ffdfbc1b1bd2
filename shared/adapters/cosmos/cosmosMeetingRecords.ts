import { type MeetingRecord, meetingRecords } from '../../meetings/meetingRecord.js';
import type { MeetingRecords } from '../../meetings/meetingRecords.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';

/** Meeting records in Cosmos DB: one partition per user, so every query here stays in one partition. */
export class CosmosMeetingRecords implements MeetingRecords {
  readonly #documents: DocumentCollection<MeetingRecord>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(meetingRecords);
  }

  async find(userId: string, recordId: string): Promise<MeetingRecord | undefined> {
    return (await this.#documents.read(recordId, userId))?.value;
  }

  async save(record: MeetingRecord): Promise<void> {
    await this.#documents.upsert(record);
  }

  async remove(userId: string, recordId: string): Promise<void> {
    await this.#documents.delete(recordId, userId);
  }

  async occurrencesOf(userId: string, seriesKey: string): Promise<MeetingRecord[]> {
    return this.#documents.queryPartition(userId, {
      text: 'SELECT * FROM c WHERE c.seriesKey = @seriesKey',
      parameters: [{ name: '@seriesKey', value: seriesKey }],
    });
  }

  async between(userId: string, range: { from: Date; to: Date }): Promise<MeetingRecord[]> {
    const records = await this.#documents.queryPartition(userId, {
      text: 'SELECT * FROM c WHERE c.userId = @userId AND c.start < @to AND c["end"] > @from ORDER BY c.start',
      parameters: [
        { name: '@userId', value: userId },
        { name: '@from', value: range.from.toISOString() },
        { name: '@to', value: range.to.toISOString() },
      ],
    });
    // Checked again here, so that a server that ignores part of the query cannot widen it.
    return records.filter(
      (record) =>
        Date.parse(record.start) < range.to.getTime() && Date.parse(record.end) > range.from.getTime(),
    );
  }

  async bookingRoom(
    tenantId: string,
    roomKey: string,
    range: { from: Date; to: Date },
  ): Promise<MeetingRecord[]> {
    const records = await this.#documents.queryAll({
      text: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(c.roomKeys, @roomKey) AND c.start < @to AND c["end"] > @from ORDER BY c.start',
      parameters: [
        { name: '@tenantId', value: tenantId },
        { name: '@roomKey', value: roomKey },
        { name: '@from', value: range.from.toISOString() },
        { name: '@to', value: range.to.toISOString() },
      ],
    });
    return records.filter(
      (record) =>
        record.tenantId === tenantId &&
        (record.roomKeys ?? []).includes(roomKey) &&
        Date.parse(record.start) < range.to.getTime() &&
        Date.parse(record.end) > range.from.getTime(),
    );
  }
}
