import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

export interface EmbeddedCosmos {
  endpoint: string;
  /** Any key is accepted; this is the one the local stack hands out. */
  key: string;
  stop(): Promise<void>;
}

/** The Cosmos DB emulator's published well-known key: not a secret, and accepted by the local server. */
export const localCosmosKey =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** Starts `@vercel/cosmosdb-server` (in memory, HTTPS with the local certificate) on the given port. */
export async function startEmbeddedCosmos(
  tls: { cert: string; key: string },
  port: number,
): Promise<EmbeddedCosmos> {
  const server: Server = createHttpsServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${actualPort}`,
    key: localCosmosKey,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
