/** A user's presence as the calendar tells it: in or out of office. */
export interface PresenceChange {
  tenantId: string;
  /** The user's directory object id (never an e-mail address). */
  userId: string;
  state: 'out-of-office' | 'in-office';
  /** When the change took effect (ISO 8601, UTC). */
  at: string;
  /** Where it came from: the automatic replies, or an event shown as out of office. */
  signal: 'automatic-replies' | 'calendar-event';
}

/** Publishes presence changes to the channels that carry presence (CloudEvents, the console). */
export interface PresencePublisher {
  publishPresence(change: PresenceChange): Promise<void>;
}
