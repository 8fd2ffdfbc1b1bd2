import type { MeetingRecord } from './meetingRecord.js';

/**
 * The users' meeting records (Cosmos DB in production; all its SQL lives in the adapter). Records are
 * addressed by user and record id (`keyOf(event id)`); a series' occurrences share `keyOf(series
 * master id)` as their series key.
 */
export interface MeetingRecords {
  find(userId: string, recordId: string): Promise<MeetingRecord | undefined>;
  /** Creates the record or replaces the one with its id. */
  save(record: MeetingRecord): Promise<void>;
  /** Nothing happens when there is no such record. */
  remove(userId: string, recordId: string): Promise<void>;
  /** The records of a series' occurrences and exceptions. */
  occurrencesOf(userId: string, seriesKey: string): Promise<MeetingRecord[]>;
  /** The user's records that overlap the range (start before its end, end after its start), by start. */
  between(userId: string, range: { from: Date; to: Date }): Promise<MeetingRecord[]>;
  /**
   * The tenant's records (any user's) that book the room (`roomKeys` holds its key) and overlap the
   * range, by start: what the room's booking list is rebuilt from. Crosses users' partitions.
   */
  bookingRoom(tenantId: string, roomKey: string, range: { from: Date; to: Date }): Promise<MeetingRecord[]>;
}
