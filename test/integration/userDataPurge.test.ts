import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileKeyWrapper } from '../../dev/localKeyWrapper.js';
import { CosmosWatchedUsers } from '../../shared/adapters/cosmos/cosmosWatchedUsers.js';
import { queueNames } from '../../shared/bus/queues.js';
import type { StoredDelegatedTokens } from '../../shared/calendar/tokenProvider.js';
import { DelegatedMailboxTokens } from '../../shared/connect/delegatedMailboxTokens.js';
import { SealedTokenCaches, tokenCaches } from '../../shared/connect/sealedTokenCaches.js';
import { purgeUserData } from '../../shared/connect/userDataRights.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../../shared/crypto/envelopeEncryption.js';
import { eventTraces } from '../../shared/meetings/eventTrace.js';
import { meetingRecords } from '../../shared/meetings/meetingRecord.js';
import { newPresenceDocument, presenceDocuments } from '../../shared/presence/presenceState.js';
import { watchedUsers } from '../../shared/watch/watchedUser.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { calendarServiceError } from '../support/fakes/fakeMailboxWatch.js';
import { buildWatch, buildWatchedUser, watchTenantId, watchUserId } from '../support/watchBuilders.js';

// A user's purge against the embedded Cosmos, with the calendar service as the in-memory fake of
// our watch port (so an unsubscribe can fail on request).
const freshStore = freshCosmosDatabases();
let wrapper: LocalFileKeyWrapper;
const mailbox = { tenantId: watchTenantId, userId: watchUserId };

beforeAll(async () => {
  wrapper = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'purge-')), 'key.json'));
});

/** The purge never asks for a token: it only forgets what the instance remembered. */
const unusedTokens: StoredDelegatedTokens = {
  connectAccount: () => Promise.reject(new Error('not used by a purge')),
  delegatedAccessToken: () => Promise.reject(new Error('not used by a purge')),
};

async function buildParts() {
  const store = await freshStore('purge', [
    watchedUsers,
    meetingRecords,
    eventTraces,
    tokenCaches,
    dataKeys,
    presenceDocuments,
  ]);
  const harness = buildWatch();
  const users = new CosmosWatchedUsers(store.collection(watchedUsers), harness.clock);
  harness.context.users = users;
  const cipher = new EnvelopeCipher(
    new DataKeyRing({ wrapper, keys: store.collection(dataKeys), clock: harness.clock }),
  );
  const caches = new SealedTokenCaches({
    documents: store.collection(tokenCaches),
    cipher,
    clock: harness.clock,
  });
  const delegation = new DelegatedMailboxTokens({
    caches,
    tokens: unusedTokens,
    users,
    clock: harness.clock,
    counters: harness.counters,
  });
  const subscription = harness.mailboxes.addSubscription({ tenantId: watchTenantId, userId: watchUserId });
  await store
    .collection(watchedUsers)
    .create(
      buildWatchedUser({ state: 'activated', subscriptionId: subscription.id, authorization: 'delegated' }),
    );
  await caches.save(
    {
      userId: watchUserId,
      tenantId: watchTenantId,
      homeAccountId: 'home',
      loginHint: 'user@contoso.example',
    },
    'serialized cache',
  );
  const context = {
    watch: harness.context,
    caches,
    delegation,
    collections: {
      meetingRecords: store.collection(meetingRecords),
      traces: store.collection(eventTraces),
      users: store.collection(watchedUsers),
      dataKeys: store.collection(dataKeys),
      presence: store.collection(presenceDocuments),
    },
  };
  return { store, harness, context, subscription };
}

describe('purging a user’s data', () => {
  it('when the unsubscribe fails once with a transient error, then the purge fails, keeps the subscription id, and a retry finishes it', async () => {
    const { store, harness, context, subscription } = await buildParts();
    harness.mailboxes.failNext('unsubscribe', calendarServiceError('throttled', 503, 'ServiceUnavailable'));

    await expect(purgeUserData(context, mailbox)).rejects.toThrow();
    const halfway = (await store.collection(watchedUsers).read(watchUserId, watchTenantId))?.value;

    expect(halfway).toMatchObject({ enabled: false, subscriptionId: subscription.id });
    expect(harness.mailboxes.subscriptionsById.has(subscription.id)).toBe(true);

    const summary = await purgeUserData(context, mailbox);

    expect(summary).toMatchObject({
      watchedUser: true,
      subscription: 'deleted',
      tokenCache: true,
    });
    expect(summary.dataKeys).toBeGreaterThanOrEqual(1);
    expect(harness.mailboxes.subscriptionsById.has(subscription.id)).toBe(false);
    expect(await store.collection(watchedUsers).read(watchUserId, watchTenantId)).toBeUndefined();
    expect(await store.collection(tokenCaches).read(watchUserId, watchUserId)).toBeUndefined();
    expect(
      await store
        .collection(dataKeys)
        .queryPartition(watchUserId, { text: 'SELECT * FROM c', parameters: [] }),
    ).toEqual([]);
  });

  it('when the user has a presence document with scheduled transitions, then the purge cancels them and removes the document', async () => {
    const { store, harness, context } = await buildParts();
    const at = (hours: number) => new Date(harness.clock.now().getTime() + hours * 3_600_000);
    const scheduled = [];
    for (const hours of [1, 2]) {
      const sequenceNumber = await harness.bus.schedule(
        queueNames.presenceTransitions,
        { body: { tenantId: watchTenantId, userId: watchUserId }, sessionId: watchUserId },
        at(hours),
      );
      scheduled.push({ at: at(hours).toISOString(), sequenceNumber: sequenceNumber.toString() });
    }
    // A third entry whose message was already delivered: nothing to cancel, not counted.
    scheduled.push({ at: at(3).toISOString(), sequenceNumber: '999999' });
    await store
      .collection(presenceDocuments)
      .create({ ...newPresenceDocument(mailbox, harness.clock.now()), scheduled });

    const summary = await purgeUserData(context, mailbox);

    expect(summary).toMatchObject({ presence: true, presenceTransitions: 2 });
    expect(harness.bus.diagnostics(queueNames.presenceTransitions).scheduled).toBe(0);
    expect(await store.collection(presenceDocuments).read(watchUserId, watchTenantId)).toBeUndefined();
  });
});
