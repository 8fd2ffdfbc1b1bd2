import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import type { CollectionDefinition, DocumentCollection } from '../../shared/store/documentStore.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';

const userSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  state: z.enum(['not-activated', 'activated', 'error']),
  failures: z.number().int(),
  nextRetryAt: z.string().optional(),
});
type User = z.infer<typeof userSchema>;

const users: CollectionDefinition<User> = {
  containerId: 'users',
  partitionKeyPath: '/tenantId',
  schema: userSchema,
};

function buildUser(overrides: Partial<User> = {}): User {
  return { id: crypto.randomUUID(), tenantId: 'tenant-a', state: 'not-activated', failures: 0, ...overrides };
}

let cosmos: EmbeddedCosmos;
let store: CosmosDocumentStore;
let collection: DocumentCollection<User>;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new CosmosDocumentStore({ endpoint: cosmos.endpoint, database: 'test', auth: { key: cosmos.key } });
  await store.ensureContainers([users]);
  collection = store.collection(users);
});

afterAll(async () => {
  store?.dispose();
  await cosmos?.stop();
});

describe('CosmosDocumentStore against the embedded Cosmos server', () => {
  it('when a document is created, then it reads back parsed, with an etag and no system properties', async () => {
    const user = buildUser();

    const created = await collection.create(user);
    const read = await collection.read(user.id, user.tenantId);

    expect(created.value).toEqual(user);
    expect(read?.value).toEqual(user);
    expect(read?.etag).toBe(created.etag);
  });

  it('when a document does not exist, then read returns undefined and delete returns false', async () => {
    expect(await collection.read('missing', 'tenant-a')).toBeUndefined();
    expect(await collection.delete('missing', 'tenant-a')).toBe(false);
  });

  it('when the same id is created twice in a partition, then the second fails with already-exists', async () => {
    const user = buildUser();
    await collection.create(user);

    await expect(collection.create(user)).rejects.toMatchObject({ code: 'already-exists' });
  });

  it('when replaced with the current etag, then it succeeds; with a stale etag, then precondition-failed', async () => {
    const user = buildUser();
    const created = await collection.create(user);

    const first = await collection.replace({ ...user, state: 'activated' }, { ifMatch: created.etag });
    const stale = collection.replace({ ...user, state: 'error' }, { ifMatch: created.etag });

    await expect(stale).rejects.toMatchObject({ code: 'precondition-failed', transient: false });
    expect(first.etag).not.toBe(created.etag);
    expect((await collection.read(user.id, user.tenantId))?.value.state).toBe('activated');
  });

  it('when patched, then only the named paths change, and a stale etag is refused', async () => {
    const user = buildUser({ failures: 1 });
    const created = await collection.create(user);

    const patched = await collection.patch(
      user.id,
      user.tenantId,
      [
        { op: 'set', path: '/state', value: 'error' },
        { op: 'incr', path: '/failures', value: 1 },
        { op: 'add', path: '/nextRetryAt', value: '2026-11-22T11:00:00Z' },
      ],
      { ifMatch: created.etag },
    );

    expect(patched.value).toEqual({
      ...user,
      state: 'error',
      failures: 2,
      nextRetryAt: '2026-11-22T11:00:00Z',
    });
    await expect(
      collection.patch(user.id, user.tenantId, [{ op: 'remove', path: '/nextRetryAt' }], {
        ifMatch: created.etag,
      }),
    ).rejects.toMatchObject({ code: 'precondition-failed' });
  });

  it('when queried within a partition, then parameters filter and ORDER BY sorts, other tenants excluded', async () => {
    const tenantId = `tenant-${crypto.randomUUID()}`;
    await collection.create(buildUser({ tenantId, id: 'c', failures: 3, state: 'error' }));
    await collection.create(buildUser({ tenantId, id: 'a', failures: 1, state: 'error' }));
    await collection.create(buildUser({ tenantId, id: 'b', failures: 2, state: 'activated' }));
    await collection.create(buildUser({ tenantId: 'elsewhere', id: 'd', failures: 0, state: 'error' }));

    const errored = await collection.queryPartition(tenantId, {
      text: 'SELECT * FROM c WHERE c.state = @state ORDER BY c.failures ASC',
      parameters: [{ name: '@state', value: 'error' }],
    });

    expect(errored.map((user) => user.id)).toEqual(['a', 'c']);
  });

  it('when queried across partitions, then documents of every tenant come back', async () => {
    const marker = 7_000 + Math.floor(Math.random() * 1_000);
    await collection.create(buildUser({ tenantId: 'x1', failures: marker }));
    await collection.create(buildUser({ tenantId: 'x2', failures: marker }));

    const found = await collection.queryAll({
      text: 'SELECT * FROM c WHERE c.failures = @marker',
      parameters: [{ name: '@marker', value: marker }],
    });

    expect(found.map((user) => user.tenantId).sort()).toEqual(['x1', 'x2']);
  });

  it('when a document fails its schema, then nothing is written', async () => {
    const invalid = { ...buildUser(), state: 'sleeping' } as unknown as User;

    await expect(collection.create(invalid)).rejects.toMatchObject({ code: 'input-invalid' });
    expect(await collection.read(invalid.id, invalid.tenantId)).toBeUndefined();
  });

  it('when a stored document no longer matches the schema, then reading it fails with input-invalid', async () => {
    const user = buildUser();
    await collection.create(user);
    const stricter = store.collection({ ...users, schema: userSchema.extend({ mail: z.string() }) });

    await expect(stricter.read(user.id, user.tenantId)).rejects.toMatchObject({ code: 'input-invalid' });
  });

  it('when a document is upserted and deleted with a stale etag, then the delete is refused', async () => {
    const user = buildUser();
    const first = await collection.upsert(user);
    await collection.upsert({ ...user, failures: 5 });

    await expect(collection.delete(user.id, user.tenantId, { ifMatch: first.etag })).rejects.toMatchObject({
      code: 'precondition-failed',
    });
    expect(await collection.delete(user.id, user.tenantId)).toBe(true);
  });

  it('when the containers are ensured again, then it is a no-op and health is up', async () => {
    await store.ensureContainers([users]);
    await expect(store.checkHealth()).resolves.toBeUndefined();
  });

  it('when the database does not exist, then health fails with a typed error', async () => {
    const other = new CosmosDocumentStore({
      endpoint: cosmos.endpoint,
      database: 'absent',
      auth: { key: cosmos.key },
    });
    await expect(other.checkHealth()).rejects.toMatchObject({ code: 'not-found' });
    other.dispose();
  });
});
