import type { Sealed } from '../crypto/envelopeEncryption.js';
import type { MeetingDetails, MeetingRecord } from './meetingRecord.js';

/** What a record keeps for its Join notifications: the sealed schedule and the rooms it books. */
export interface JoinBookkeeping {
  joinSchedule: Sealed | null;
  roomKeys: string[];
}

/**
 * How writing meeting records keeps the Join notifications in step (implemented in
 * `shared/notifications/`). Failures are rethrown, so that the event change is tried again; a retry
 * is harmless, since scheduling compares with what the record already keeps and delivery markers
 * keep a stray message from notifying anyone twice.
 */
export interface JoinNotificationHooks {
  /**
   * Before the record is saved: schedules its notifications, cancels the ones that no longer fit
   * (moved, cancelled, an invitee declined), keeps the rest; returns what the record keeps.
   */
  beforeSave(
    record: MeetingRecord,
    details: MeetingDetails,
    previous: MeetingRecord | undefined,
  ): Promise<JoinBookkeeping>;
  /** After the record was saved: the rooms it books, or booked before, get their booking lists rebuilt. */
  afterSave(
    record: MeetingRecord,
    details: MeetingDetails,
    previous: MeetingRecord | undefined,
  ): Promise<void>;
  /** After the record was removed: its notifications are cancelled and its rooms' lists rebuilt. */
  afterRemove(record: MeetingRecord): Promise<void>;
}
