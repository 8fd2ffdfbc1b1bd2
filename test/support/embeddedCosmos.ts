import { type EmbeddedCosmos, startEmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { ensureLocalTls } from '../../dev/localTls.js';

/** Starts a fresh embedded Cosmos server on a free port, trusted through the global setup's CA. */
export async function startTestCosmos(): Promise<EmbeddedCosmos> {
  const stateDir = process.env.TEST_STATE_DIR;
  if (!stateDir)
    throw new Error('TEST_STATE_DIR is not set: run the tests through vitest (test/support/globalSetup.ts)');
  return startEmbeddedCosmos(await ensureLocalTls(stateDir), 0);
}
