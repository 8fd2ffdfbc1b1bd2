import { GraphSimulator, type GraphSimulatorOptions } from '../../dev/graphSimulator/server.js';
import { ensureLocalTls } from '../../dev/localTls.js';
import { faultSeed } from './faultSeed.js';

/**
 * Starts a Graph simulator on a free port, trusted through the global setup's CA, its faults seeded
 * from `faultSeed` (TEST_FAULT_SEED) unless `options.faultSeed` says otherwise.
 */
export async function startTestGraphSimulator(
  options: Partial<Omit<GraphSimulatorOptions, 'tls' | 'port'>> = {},
): Promise<GraphSimulator> {
  const stateDir = process.env.TEST_STATE_DIR;
  if (!stateDir)
    throw new Error('TEST_STATE_DIR is not set: run the tests through vitest (test/support/globalSetup.ts)');
  const simulator = new GraphSimulator({
    tls: await ensureLocalTls(stateDir),
    port: 0,
    faultSeed,
    ...options,
  });
  await simulator.start();
  return simulator;
}
