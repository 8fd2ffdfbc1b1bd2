import { z } from 'zod';
import { startEmbeddedCosmos } from '../dev/embeddedCosmos.js';
import type { LocalTls } from '../dev/localTls.js';
import { CosmosDocumentStore } from '../shared/adapters/cosmos/cosmosDocumentStore.js';
import { formatSummary, measure } from './measure.js';

const documentSchema = z.object({
  id: z.string(),
  userId: z.string(),
  start: z.string(),
  payload: z.string(),
});

/** The Cosmos adapter against the embedded server: create, point read, partition query. */
export async function benchCosmosStore(tls: LocalTls): Promise<string[]> {
  const cosmos = await startEmbeddedCosmos(tls, 0);
  const store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: 'bench',
    auth: { key: cosmos.key },
  });
  const layout = { containerId: 'items', partitionKeyPath: '/userId' as const };
  await store.ensureContainers([layout]);
  const items = store.collection({ ...layout, schema: documentSchema });
  const users = 20;
  const payload = 'x'.repeat(1_000);
  try {
    const create = await measure(2_000, 8, async (i) => {
      await items.create({
        id: `d${i}`,
        userId: `u${i % users}`,
        start: new Date(i * 60_000).toISOString(),
        payload,
      });
    });
    const read = await measure(2_000, 8, async (i) => {
      await items.read(`d${i}`, `u${i % users}`);
    });
    const query = await measure(200, 4, async (i) => {
      await items.queryPartition(`u${i % users}`, {
        text: 'SELECT * FROM c WHERE c.userId = @userId ORDER BY c.start',
        parameters: [{ name: '@userId', value: `u${i % users}` }],
      });
    });
    return [
      formatSummary('cosmos (embedded): create 1 KB document', create),
      formatSummary('cosmos (embedded): point read', read),
      formatSummary('cosmos (embedded): partition query, 100 docs', query),
    ];
  } finally {
    store.dispose();
    await cosmos.stop();
  }
}
