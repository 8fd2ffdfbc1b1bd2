/** A mailbox in a tenant. `userId` is the directory object id (or the user principal name). */
export interface MailboxRef {
  tenantId: string;
  userId: string;
}

/** A span of time, both ends as instants. */
export interface TimeWindow {
  from: Date;
  to: Date;
}
