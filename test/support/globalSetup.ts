import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTls } from '../../dev/localTls.js';

/**
 * Makes the local CA before any test worker starts and names it in NODE_EXTRA_CA_CERTS, which the
 * workers inherit: the real SDKs then trust the embedded servers without any test-only code path.
 */
export default async function setup(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'hybrid-calendar-test-'));
  const tls = await ensureLocalTls(stateDir);
  process.env.NODE_EXTRA_CA_CERTS = tls.caCertPath;
  process.env.TEST_STATE_DIR = stateDir;
}
