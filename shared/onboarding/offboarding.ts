import { z } from 'zod';
import { isAppError } from '../errors.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, ContainerLayout, DocumentStore } from '../store/documentStore.js';
import type { TenantSubscriptions } from './ports.js';

/** What offboarding needs: the store as a whole, the tenant's Graph subscriptions, caches to drop. */
export interface OffboardingContext {
  store: DocumentStore;
  subscriptions: TenantSubscriptions;
  /** Drops what this instance holds in memory of the tenant (settings, unwrapped data keys). */
  forgetCached(tenantId: string, userIds: readonly string[]): void;
}

/** How many of each kind offboarding removed. */
export interface OffboardingReport {
  tenantId: string;
  removed: {
    subscriptions: number;
    watchedUsers: number;
    meetingRecords: number;
    traces: number;
    deadLetters: number;
    settings: number;
    onboarding: number;
    onboardingStates: number;
    enablementJobs: number;
    presence: number;
    tokenCaches: number;
    joinDeliveries: number;
    cloudEventEndpoints: number;
    dataKeys: number;
  };
}

/**
 * Any document of a container, read for its id and partition key only: offboarding deletes what is
 * there even when a record no longer matches its current schema.
 */
const anyDocumentSchema = z.looseObject({
  id: z.string(),
  tenantId: z.string().nullish(),
  userId: z.string().nullish(),
  queue: z.string().nullish(),
});
type AnyDocument = z.infer<typeof anyDocumentSchema>;

function anyDocumentsOf(layout: ContainerLayout): CollectionDefinition<AnyDocument> {
  return { ...layout, schema: anyDocumentSchema };
}

const byTenant = (tenantId: string) => ({
  text: 'SELECT c.id, c.tenantId, c.userId, c.queue FROM c WHERE c.tenantId = @tenantId',
  parameters: [{ name: '@tenantId' as const, value: tenantId }],
});
const everything = { text: 'SELECT c.id, c.tenantId, c.userId, c.queue FROM c' };

async function deleteAll(
  store: DocumentStore,
  layout: ContainerLayout,
  documents: readonly AnyDocument[],
  partitionKeyOf: (document: AnyDocument) => string,
): Promise<number> {
  const collection = store.collection(anyDocumentsOf(layout));
  let removed = 0;
  for (const document of documents) {
    if (await collection.delete(document.id, partitionKeyOf(document))) removed += 1;
  }
  return removed;
}

/**
 * `DELETE /api/admin/tenants/{tenantId}`: stops the watch (Graph subscriptions first, so nothing new
 * arrives), then deletes every record of the tenant, its users' data keys last. Sealed records in
 * backups stay sealed with keys that no longer exist: crypto-shredding. Safe to run again.
 */
export async function offboardTenant(
  context: OffboardingContext,
  tenantIdInput: string,
): Promise<OffboardingReport> {
  const tenantId = tenantIdInput.toLowerCase();
  const { store } = context;
  const users = await store
    .collection(anyDocumentsOf(containerLayouts.users))
    .queryPartition(tenantId, everything);

  // Subscriptions Graph knows for the tenant; without consent (already revoked) there are none to reach.
  let subscriptions = 0;
  const subscriptionIds = await context.subscriptions.list(tenantId).catch((error: unknown) => {
    if (isAppError(error) && ['unauthorized', 'not-found'].includes(error.code)) return [] as string[];
    throw error;
  });
  for (const subscriptionId of subscriptionIds) {
    await context.subscriptions.delete(tenantId, subscriptionId);
    subscriptions += 1;
  }

  const watchedUsers = await deleteAll(store, containerLayouts.users, users, () => tenantId);
  const meetings = await store
    .collection(anyDocumentsOf(containerLayouts.meetings))
    .queryAll(byTenant(tenantId));
  const traces = await store.collection(anyDocumentsOf(containerLayouts.traces)).queryAll(byTenant(tenantId));
  const userIds = [
    ...new Set(
      [...users.map((user) => user.id), ...meetings.map((m) => m.userId), ...traces.map((t) => t.userId)]
        .filter((id): id is string => typeof id === 'string' && id.length > 0)
        // Keys are partitioned by the id as it was sealed with; both spellings are looked at.
        .flatMap((id) => [id, id.toLowerCase()]),
    ),
  ];
  const meetingRecords = await deleteAll(store, containerLayouts.meetings, meetings, (d) => d.userId ?? '');
  const traceCount = await deleteAll(store, containerLayouts.traces, traces, (d) => d.userId ?? '');
  const deadLetterDocuments = await store
    .collection(anyDocumentsOf(containerLayouts.deadLetters))
    .queryAll(byTenant(tenantId));
  const deadLetters = await deleteAll(
    store,
    containerLayouts.deadLetters,
    deadLetterDocuments,
    (d) => d.queue ?? '',
  );
  const settings = await deleteAll(store, containerLayouts.tenants, [{ id: tenantId }], () => tenantId);
  const onboarding = await deleteAll(
    store,
    containerLayouts.onboardedTenants,
    [{ id: tenantId }],
    () => tenantId,
  );
  const stateDocuments = await store
    .collection(anyDocumentsOf(containerLayouts.singleUseStates))
    .queryAll(byTenant(tenantId));
  const onboardingStates = await deleteAll(
    store,
    containerLayouts.singleUseStates,
    stateDocuments,
    (d) => d.id,
  );
  const jobs = await store
    .collection(anyDocumentsOf(containerLayouts.enablementJobs))
    .queryPartition(tenantId, everything);
  const enablementJobs = await deleteAll(store, containerLayouts.enablementJobs, jobs, () => tenantId);
  const presenceDocuments = await store
    .collection(anyDocumentsOf(containerLayouts.presence))
    .queryPartition(tenantId, everything);
  const presence = await deleteAll(store, containerLayouts.presence, presenceDocuments, () => tenantId);
  const deliveryDocuments = await store
    .collection(anyDocumentsOf(containerLayouts.joinDeliveries))
    .queryPartition(tenantId, everything);
  const joinDeliveries = await deleteAll(
    store,
    containerLayouts.joinDeliveries,
    deliveryDocuments,
    () => tenantId,
  );
  const cloudEventEndpoints = await deleteAll(
    store,
    containerLayouts.cloudEventEndpoints,
    [{ id: tenantId }],
    () => tenantId,
  );
  // Connected users' token caches: sealed, but offboarding removes them all the same.
  const cacheDocuments = await store
    .collection(anyDocumentsOf(containerLayouts.tokenCaches))
    .queryAll(byTenant(tenantId));
  const tokenCaches = await deleteAll(
    store,
    containerLayouts.tokenCaches,
    cacheDocuments,
    (d) => d.userId ?? '',
  );

  // The data keys last: until here a failure could be retried with every record still readable.
  const keyCollection = store.collection(anyDocumentsOf(containerLayouts.dataKeys));
  let dataKeys = 0;
  for (const userId of userIds) {
    const keys = await keyCollection.queryPartition(userId, everything);
    dataKeys += await deleteAll(store, containerLayouts.dataKeys, keys, () => userId);
  }
  context.forgetCached(tenantId, userIds);
  return {
    tenantId,
    removed: {
      subscriptions,
      watchedUsers,
      meetingRecords,
      traces: traceCount,
      deadLetters,
      settings,
      onboarding,
      onboardingStates,
      enablementJobs,
      presence,
      tokenCaches,
      joinDeliveries,
      cloudEventEndpoints,
      dataKeys,
    },
  };
}
