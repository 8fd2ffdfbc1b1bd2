import { join } from 'node:path';
import { type RunningLocalStack, startThrowawayStack } from '../../dev/localStack.js';
import { faultSeed } from './faultSeed.js';

/**
 * The whole local stack inside the test process (free ports, the tests' CA, timers off), for tests
 * that move the clock and call timers directly while the real consumers run. Its simulators' faults
 * are seeded from `faultSeed` (TEST_FAULT_SEED).
 */
export async function startInProcessStack(): Promise<RunningLocalStack> {
  const testStateDir = process.env.TEST_STATE_DIR;
  if (!testStateDir) throw new Error('TEST_STATE_DIR is not set: run the tests through vitest');
  return startThrowawayStack(join(testStateDir, 'tls'), { faultSeed });
}

/** Moves the service's clock and the simulator's together. */
export function advanceClocks(stack: RunningLocalStack, ms: number): void {
  stack.clock.advanceBy(ms);
}
