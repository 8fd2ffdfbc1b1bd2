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

/**
 * Whose Graph tokens a request uses: a tenant (its app token), or a mailbox (its user's delegated
 * token when they connected their own calendar, else the tenant's app token).
 */
export type TenantOrMailbox = string | MailboxRef;
