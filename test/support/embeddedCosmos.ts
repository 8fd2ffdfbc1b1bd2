import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EmbeddedCosmos, startEmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { ensureLocalTls } from '../../dev/localTls.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import type { ContainerLayout } from '../../shared/store/documentStore.js';

/** Starts a fresh embedded Cosmos server on a free port, trusted through the global setup's CA. */
export async function startTestCosmos(): Promise<EmbeddedCosmos> {
  const stateDir = process.env.TEST_STATE_DIR;
  if (!stateDir)
    throw new Error('TEST_STATE_DIR is not set: run the tests through vitest (test/support/globalSetup.ts)');
  return startEmbeddedCosmos(await ensureLocalTls(stateDir), 0);
}

/**
 * For a test file: one embedded Cosmos server for the file, and a fresh database (with the given
 * containers) each time the returned function is called, disposed after each test, so that
 * cross-partition queries see only that test's documents.
 */
export function freshCosmosDatabases(): (
  prefix: string,
  layouts: readonly ContainerLayout[],
) => Promise<CosmosDocumentStore> {
  let cosmos: EmbeddedCosmos | undefined;
  const stores: CosmosDocumentStore[] = [];
  beforeAll(async () => {
    cosmos = await startTestCosmos();
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.dispose();
  });
  afterAll(async () => {
    await cosmos?.stop();
  });
  return async (prefix, layouts) => {
    if (!cosmos) throw new Error('the embedded Cosmos server is not started');
    const store = new CosmosDocumentStore({
      endpoint: cosmos.endpoint,
      database: `${prefix}-${crypto.randomUUID()}`,
      auth: { key: cosmos.key },
    });
    stores.push(store);
    await store.ensureContainers(layouts);
    return store;
  };
}
