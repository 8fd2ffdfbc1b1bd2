import type { MailboxRef } from '../../calendar/mailbox.js';
import { writeConditionally } from '../../store/conditionalWrite.js';
import type { DocumentCollection } from '../../store/documentStore.js';
import type { Clock } from '../../time/clock.js';
import { newWatchedUser, type UserState, type WatchedUser } from '../../watch/watchedUser.js';
import type { WatchedUserChange, WatchedUsers } from '../../watch/watchedUsers.js';

/**
 * The watched users in Cosmos DB: one document per user, partitioned by tenant. All of the watch's
 * SQL lives here. ISO timestamps compare as strings in the order of the instants they name, so the
 * due-time queries compare them directly.
 */
export class CosmosWatchedUsers implements WatchedUsers {
  readonly #documents: DocumentCollection<WatchedUser>;
  readonly #clock: Clock;

  constructor(documents: DocumentCollection<WatchedUser>, clock: Clock) {
    this.#documents = documents;
    this.#clock = clock;
  }

  async find(key: MailboxRef): Promise<WatchedUser | undefined> {
    return (await this.#documents.read(key.userId.toLowerCase(), key.tenantId.toLowerCase()))?.value;
  }

  async update(
    key: MailboxRef,
    change: WatchedUserChange,
    options: { createIfMissing?: boolean } = {},
  ): Promise<WatchedUser | undefined> {
    const tenantId = key.tenantId.toLowerCase();
    const userId = key.userId.toLowerCase();
    // The user `change` chose to leave as it was: for a missing user with createIfMissing, the fresh
    // one that was never written, which the write loop cannot return.
    let unchanged: WatchedUser | undefined;
    const written = await writeConditionally(
      this.#documents,
      { id: userId, partitionKey: tenantId },
      (stored) => {
        unchanged = undefined;
        const current =
          stored ??
          (options.createIfMissing ? newWatchedUser(tenantId, userId, this.#clock.now()) : undefined);
        if (!current) return undefined;
        const next = change(current);
        if (!next) {
          unchanged = current;
          return undefined;
        }
        return { ...next, id: userId, tenantId, updatedAt: this.#clock.now().toISOString() };
      },
      { what: 'user update' },
    );
    return written ?? unchanged;
  }

  async dueForRenewal(before: Date): Promise<WatchedUser[]> {
    return this.#documents.queryAll({
      text: 'SELECT * FROM c WHERE c.state = @state AND c.enabled = true AND c.subscriptionExpiresAt < @before',
      parameters: [
        { name: '@state', value: 'activated' },
        { name: '@before', value: before.toISOString() },
      ],
    });
  }

  async dueForRetry(now: Date): Promise<WatchedUser[]> {
    return this.#documents.queryAll({
      text: 'SELECT * FROM c WHERE c.state = @state AND c.enabled = true AND c.nextRetryAt <= @now',
      parameters: [
        { name: '@state', value: 'error' },
        { name: '@now', value: now.toISOString() },
      ],
    });
  }

  async dueForReconciliation(fromSlotMs: number, toSlotMs: number): Promise<WatchedUser[]> {
    return this.#documents.queryAll({
      text:
        'SELECT * FROM c WHERE c.state = @state AND c.enabled = true AND ' +
        '((c.reconciliationSlot >= @from AND c.reconciliationSlot < @to) OR ' +
        'NOT IS_DEFINED(c.reconciliationSlot) OR IS_NULL(c.reconciliationSlot))',
      parameters: [
        { name: '@state', value: 'activated' },
        { name: '@from', value: fromSlotMs },
        { name: '@to', value: toSlotMs },
      ],
    });
  }

  async activated(): Promise<WatchedUser[]> {
    return this.#documents.queryAll({
      text: 'SELECT * FROM c WHERE c.state = @state AND c.enabled = true',
      parameters: [{ name: '@state', value: 'activated' }],
    });
  }

  async inTenant(tenantId: string, state?: UserState): Promise<WatchedUser[]> {
    return this.#documents.queryPartition(
      tenantId.toLowerCase(),
      state
        ? {
            text: 'SELECT * FROM c WHERE c.state = @state ORDER BY c.id',
            parameters: [{ name: '@state', value: state }],
          }
        : { text: 'SELECT * FROM c ORDER BY c.id' },
    );
  }
}
