import { cancelIfScheduled } from '../bus/messageBus.js';
import { queueNames } from '../bus/queues.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { type DataKeyDocument, DataKeyRing } from '../crypto/envelopeEncryption.js';
import { isTransient } from '../errors.js';
import type { EventTrace } from '../meetings/eventTrace.js';
import type { MeetingRecord } from '../meetings/meetingRecord.js';
import { listMeetings, type MeetingView } from '../meetings/meetingsApi.js';
import type { MeetingsContext } from '../meetings/meetingsContext.js';
import type { PresenceDocument } from '../presence/presenceState.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { WatchContext } from '../watch/watchContext.js';
import type { WatchedUser } from '../watch/watchedUser.js';
import type { DelegatedMailboxTokens } from './delegatedMailboxTokens.js';
import type { SealedTokenCaches } from './sealedTokenCaches.js';

/** What a user's data rights (export, purge) work with. */
export interface UserDataContext {
  meetings: MeetingsContext;
  watch: WatchContext;
  caches: SealedTokenCaches;
  delegation: DelegatedMailboxTokens;
  /** The collections a purge empties of the user. */
  collections: {
    meetingRecords: DocumentCollection<MeetingRecord>;
    traces: DocumentCollection<EventTrace>;
    users: DocumentCollection<WatchedUser>;
    dataKeys: DocumentCollection<DataKeyDocument>;
    presence: DocumentCollection<PresenceDocument>;
  };
}

/** Every meeting the service keeps for the user, decrypted: the same view as the meetings API, unbounded in time. */
export async function exportUserData(
  context: UserDataContext,
  mailbox: MailboxRef,
): Promise<{ userId: string; exportedAt: string; meetings: MeetingView[] }> {
  const everything = { from: new Date(0), to: new Date(Date.UTC(9999, 11, 31)) };
  return {
    userId: mailbox.userId,
    exportedAt: context.watch.clock.now().toISOString(),
    meetings: await listMeetings(context.meetings, mailbox.userId, everything),
  };
}

/** What a purge removed. */
export interface PurgeSummary {
  meetingRecords: number;
  traces: number;
  /** The user's watch document (state, subscription id, delta link). */
  watchedUser: boolean;
  /** `deleted` at Graph, `gone` (there was none), or `not-deleted` (Graph refused: it expires within 7 days). */
  subscription: 'deleted' | 'gone' | 'not-deleted';
  tokenCache: boolean;
  /** The user's data keys: with them gone, any copy of a sealed record (a backup) stays unreadable. */
  dataKeys: number;
  /** The user's presence document (out-of-office state and reading). */
  presence: boolean;
  /** Its exact-time messages on `presence-transitions` cancelled (those already delivered are not counted). */
  presenceTransitions: number;
}

/**
 * Removes everything the service holds of a user: the Graph subscription, the presence document and
 * its scheduled transitions, the meeting records, the traces, the token cache, the data keys and the
 * watch document. Each step removes what is there,
 * so a purge that failed half-way is finished by running it again: the watch document, which holds
 * the subscription id, goes last (until then it is only disabled, so activations and changes of
 * this user are skipped), and the route lets the user in without an enabled watch document.
 */
export async function purgeUserData(
  context: Omit<UserDataContext, 'meetings'>,
  mailbox: MailboxRef,
): Promise<PurgeSummary> {
  const userId = mailbox.userId.toLowerCase();
  const tenantId = mailbox.tenantId.toLowerCase();
  const { collections } = context;
  const summary: PurgeSummary = {
    meetingRecords: 0,
    traces: 0,
    watchedUser: false,
    subscription: 'gone',
    tokenCache: false,
    dataKeys: 0,
    presence: false,
    presenceTransitions: 0,
  };
  const user = await context.watch.users.update({ tenantId, userId }, (current) =>
    current.enabled ? { ...current, enabled: false } : undefined,
  );
  if (user?.subscriptionId) {
    try {
      // Before the token cache goes: a connected user's subscription is deleted with their token.
      await context.watch.mailboxes.unsubscribe({ tenantId, userId }, user.subscriptionId);
      summary.subscription = 'deleted';
    } catch (error) {
      if (isTransient(error)) throw error;
      summary.subscription = 'not-deleted';
    }
  }
  // The scheduled transitions first: their sequence numbers are kept only in the presence document.
  const presence = (await collections.presence.read(userId, tenantId))?.value;
  for (const entry of presence?.scheduled ?? []) {
    const sequenceNumber = BigInt(entry.sequenceNumber);
    if (await cancelIfScheduled(context.watch.bus, queueNames.presenceTransitions, sequenceNumber))
      summary.presenceTransitions += 1;
  }
  summary.presence = await collections.presence.delete(userId, tenantId);
  summary.meetingRecords = await deleteUserDocuments(collections.meetingRecords, userId);
  summary.traces = await deleteUserDocuments(collections.traces, userId);
  summary.tokenCache = await context.caches.remove(userId);
  context.delegation.forget(userId);
  summary.dataKeys = await deleteUserDocuments(collections.dataKeys, userId);
  // The current key's id is known without a query: removed even if the query missed it.
  if (await collections.dataKeys.delete(DataKeyRing.currentKeyId(userId), userId)) summary.dataKeys += 1;
  // Last: it holds the subscription id a retry needs.
  summary.watchedUser = await collections.users.delete(userId, tenantId);
  context.watch.counters.increment('user-data.purged');
  return summary;
}

/** Deletes every document of the user's partition in a user-partitioned container; how many went. */
async function deleteUserDocuments(
  collection: DocumentCollection<{ id: string }>,
  userId: string,
): Promise<number> {
  let removed = 0;
  for (const document of await collection.queryPartition(userId, {
    text: 'SELECT * FROM c WHERE c.userId = @userId',
    parameters: [{ name: '@userId', value: userId }],
  })) {
    if (await collection.delete(document.id, userId)) removed += 1;
  }
  return removed;
}
