/**
 * A notification from the calendar service about a watched calendar, in the watch's words. Nothing
 * in it is trusted yet: the intake verifies `clientState` before anything is queued.
 */
export interface ChangeNotice {
  subscriptionId: string;
  tenantId: string;
  clientState: string | null;
  /** A change to an event; absent when the notification names none it can be read as. */
  change?: {
    userId: string;
    eventId: string;
    changeType: 'created' | 'updated' | 'deleted';
    changeKey: string | null;
  };
  /** A lifecycle event of the subscription itself. */
  lifecycle?: {
    event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
    /** The user the notification's resource names, when it names one. */
    userId: string | undefined;
    /** When the subscription expires, as the service said (an ISO date-time). */
    subscriptionExpiresAt: string | undefined;
    /** The notification's own id, when the service gives one: its redeliveries carry the same. */
    notificationId: string | undefined;
  };
}

/**
 * Reads a webhook body as notices (implemented for Microsoft Graph's change notification collection
 * in `adapters/graph/`). Undefined when the body is not a notification collection at all.
 */
export interface NotificationReader {
  read(body: unknown): ChangeNotice[] | undefined;
}
