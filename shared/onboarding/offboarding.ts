import { z } from 'zod';
import { isAppError } from '../errors.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, ContainerLayout, DocumentStore } from '../store/documentStore.js';
import type { TenantSubscriptions } from './ports.js';

/** What offboarding needs: the store as a whole, the tenant's Graph subscriptions, caches to drop. */
export interface OffboardingContext {
  store: DocumentStore;
  subscriptions: TenantSubscriptions;
  /** Drops what this instance holds in memory of the tenant (settings, unwrapped data keys of its users and of itself). */
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

type ContainerName = keyof typeof containerLayouts;
type RemovedKind = Exclude<keyof OffboardingReport['removed'], 'subscriptions'>;

/** How a container's documents of one tenant are found. */
type TenantDocumentsIn =
  /** The container is partitioned by tenant: the tenant's whole partition. */
  | 'tenant-partition'
  /** One document per tenant, its id the tenant id (partitioned by `/id`). */
  | 'tenant-document'
  /** Documents that name the tenant in `tenantId`, across partitions. */
  | 'tenant-field'
  /** The data keys of the tenant's users (partitioned by user): found through the other containers. */
  | 'keys-of-tenant-users';

/**
 * Every container that can hold a tenant's data, how offboarding finds the tenant's documents in it
 * and the kind its answer counts them as; the order is the order of deletion (data keys last: until
 * then a failed run can be retried with every record still readable). A container is either here or
 * in `containersWithoutTenantData` (a test checks that each container of `containers.ts` is in one).
 */
export const offboardedContainers = {
  users: { find: 'tenant-partition', reportedAs: 'watchedUsers' },
  meetings: { find: 'tenant-field', reportedAs: 'meetingRecords' },
  traces: { find: 'tenant-field', reportedAs: 'traces' },
  deadLetters: { find: 'tenant-field', reportedAs: 'deadLetters' },
  tenants: { find: 'tenant-document', reportedAs: 'settings' },
  onboardedTenants: { find: 'tenant-document', reportedAs: 'onboarding' },
  // Only states issued for a known tenant (onboarding's consent step) name it; the others name nobody.
  singleUseStates: { find: 'tenant-field', reportedAs: 'onboardingStates' },
  enablementJobs: { find: 'tenant-partition', reportedAs: 'enablementJobs' },
  presence: { find: 'tenant-partition', reportedAs: 'presence' },
  joinDeliveries: { find: 'tenant-partition', reportedAs: 'joinDeliveries' },
  cloudEventEndpoints: { find: 'tenant-document', reportedAs: 'cloudEventEndpoints' },
  // Connected users' token caches: sealed, but offboarding removes them all the same.
  tokenCaches: { find: 'tenant-field', reportedAs: 'tokenCaches' },
  dataKeys: { find: 'keys-of-tenant-users', reportedAs: 'dataKeys' },
} as const satisfies Partial<Record<ContainerName, { find: TenantDocumentsIn; reportedAs: RemovedKind }>>;

/** Containers that never hold a tenant's data, each with the reason. None today. */
export const containersWithoutTenantData: Partial<Record<ContainerName, string>> = {};

/**
 * Any document of a container, read for its id and partition key only: offboarding deletes what is
 * there even when a record no longer matches its current schema.
 */
const anyDocumentSchema = z.looseObject({
  id: z.string(),
  tenantId: z.string().nullish(),
  userId: z.string().nullish(),
});
type AnyDocument = z.infer<typeof anyDocumentSchema>;

function anyDocumentsOf(layout: ContainerLayout): CollectionDefinition<AnyDocument> {
  return { ...layout, schema: anyDocumentSchema };
}

/** The field a layout is partitioned by (all are top-level fields). */
function partitionFieldOf(layout: ContainerLayout): string {
  return layout.partitionKeyPath.slice(1);
}

/** Reads id, tenant, user and partition key only: never a sealed body. */
function projectionOf(layout: ContainerLayout): string {
  const fields = new Set(['id', 'tenantId', 'userId', partitionFieldOf(layout)]);
  return [...fields].map((field) => `c.${field}`).join(', ');
}

async function tenantDocuments(
  store: DocumentStore,
  layout: ContainerLayout,
  find: Exclude<TenantDocumentsIn, 'keys-of-tenant-users'>,
  tenantId: string,
): Promise<AnyDocument[]> {
  if (find === 'tenant-document') return [{ id: tenantId, [partitionFieldOf(layout)]: tenantId }];
  const collection = store.collection(anyDocumentsOf(layout));
  const select = `SELECT ${projectionOf(layout)} FROM c`;
  if (find === 'tenant-partition') return collection.queryPartition(tenantId, { text: select });
  return collection.queryAll({
    text: `${select} WHERE c.tenantId = @tenantId`,
    parameters: [{ name: '@tenantId' as const, value: tenantId }],
  });
}

async function deleteAll(
  store: DocumentStore,
  layout: ContainerLayout,
  documents: readonly AnyDocument[],
): Promise<number> {
  const collection = store.collection(anyDocumentsOf(layout));
  const partitionField = partitionFieldOf(layout);
  let removed = 0;
  for (const document of documents) {
    const partitionKey = document[partitionField];
    if (typeof partitionKey !== 'string') continue;
    if (await collection.delete(document.id, partitionKey)) removed += 1;
  }
  return removed;
}

/**
 * The owners of a tenant's data keys, recorded while offboarding runs (in `tenants`, beside the
 * tenant's settings; partitioned by `/id`, so each chunk is its own document). Owner ids only.
 */
const offboardingRecordSchema = z.object({
  id: z.string().min(1),
  offboardingOf: z.string().min(1),
  keyOwners: z.array(z.string()),
});
type OffboardingRecord = z.infer<typeof offboardingRecordSchema>;
const offboardingRecords: CollectionDefinition<OffboardingRecord> = {
  ...containerLayouts.tenants,
  schema: offboardingRecordSchema,
};
/** Owners per record: a record stays far below Cosmos's 2 MB per document. */
const keyOwnersPerRecord = 1_000;

async function recordedKeyOwners(store: DocumentStore, tenantId: string): Promise<string[]> {
  const records = await store.collection(offboardingRecords).queryAll({
    text: 'SELECT * FROM c WHERE c.offboardingOf = @tenantId',
    parameters: [{ name: '@tenantId', value: tenantId }],
  });
  return records.flatMap((record) => record.keyOwners);
}

async function recordKeyOwners(
  store: DocumentStore,
  tenantId: string,
  keyOwners: readonly string[],
): Promise<OffboardingRecord[]> {
  const collection = store.collection(offboardingRecords);
  const records: OffboardingRecord[] = [];
  for (let start = 0; start < keyOwners.length; start += keyOwnersPerRecord) {
    const record: OffboardingRecord = {
      id: `offboarding-${tenantId}-${start / keyOwnersPerRecord}`,
      offboardingOf: tenantId,
      keyOwners: keyOwners.slice(start, start + keyOwnersPerRecord),
    };
    await collection.upsert(record);
    records.push(record);
  }
  return records;
}

/**
 * `DELETE /api/admin/tenants/{tenantId}`: stops the watch (Graph subscriptions first, so nothing new
 * arrives), records who owns the tenant's data keys, then deletes every record of the tenant, its
 * users' data keys last and the record of their owners after them. Sealed records in
 * backups stay sealed with keys that no longer exist: crypto-shredding. Safe to run again.
 */
export async function offboardTenant(
  context: OffboardingContext,
  tenantIdInput: string,
): Promise<OffboardingReport> {
  const tenantId = tenantIdInput.toLowerCase();
  const { store } = context;

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

  // Everything of the tenant is found before anything is deleted: the users' ids come from all of it.
  const found: Array<{ layout: ContainerLayout; reportedAs: RemovedKind; documents: AnyDocument[] }> = [];
  // Keys are per user, and per tenant for what is sealed for the tenant (its CloudEvents secrets).
  const keyOwnerSet = new Set<string>([tenantId]);
  for (const [name, { find, reportedAs }] of Object.entries(offboardedContainers)) {
    if (find === 'keys-of-tenant-users') continue;
    const layout = containerLayouts[name as ContainerName];
    const documents = await tenantDocuments(store, layout, find, tenantId);
    found.push({ layout, reportedAs, documents });
    for (const document of documents) {
      const userId = layout === containerLayouts.users ? document.id : document.userId;
      // Keys are partitioned by the id as it was sealed with; both spellings are looked at.
      if (typeof userId === 'string' && userId.length > 0) {
        keyOwnerSet.add(userId);
        keyOwnerSet.add(userId.toLowerCase());
      }
    }
  }
  // The owners are recorded before anything is deleted: a rerun after a failure in the key phase
  // no longer finds them through the other containers, but still finds them here.
  for (const owner of await recordedKeyOwners(store, tenantId)) keyOwnerSet.add(owner);
  const keyOwners = [...keyOwnerSet];
  const records = await recordKeyOwners(store, tenantId, keyOwners);

  const removed = { subscriptions } as OffboardingReport['removed'];
  for (const { layout, reportedAs, documents } of found)
    removed[reportedAs] = await deleteAll(store, layout, documents);

  // The data keys last: until here a failure could be retried with every record still readable.
  const keyCollection = store.collection(anyDocumentsOf(containerLayouts.dataKeys));
  let dataKeys = 0;
  for (const owner of keyOwners) {
    const keys = await keyCollection.queryPartition(owner, {
      text: `SELECT ${projectionOf(containerLayouts.dataKeys)} FROM c`,
    });
    dataKeys += await deleteAll(store, containerLayouts.dataKeys, keys);
  }
  removed[offboardedContainers.dataKeys.reportedAs] = dataKeys;
  // The record of the owners goes last, once no key of theirs is left.
  const recordCollection = store.collection(offboardingRecords);
  for (const record of records) await recordCollection.delete(record.id, record.id);
  context.forgetCached(tenantId, keyOwners);
  return { tenantId, removed };
}
