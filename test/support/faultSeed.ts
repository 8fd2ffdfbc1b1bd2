import { beforeEach } from 'vitest';
import { defaultFaultSeed, seedFromEnv } from '../../dev/seededRandom.js';

/**
 * The seed of the simulators' injected faults in the tests: `TEST_FAULT_SEED`, or 1. The same seed
 * and the same requests meet the same faults, so a failure can be replayed with that variable.
 */
export const faultSeed = seedFromEnv(process.env, 'TEST_FAULT_SEED', defaultFaultSeed);

export function faultSeedMessage(seed = faultSeed): string {
  return `fault seed: ${seed} (replay with TEST_FAULT_SEED=${seed})`;
}

/** Anything whose faults come from seeded streams: the Graph and Webex simulators. */
export interface FaultSeeded {
  reseedFaults(seed: number): void;
}

/**
 * For tests that inject faults: before each test, the simulators `simulators()` returns start their
 * fault streams again from `faultSeed` (a test meets the same faults run alone or with its file), and
 * a failing test prints the seed. Call it in a file or `describe` body; the simulators may be made in
 * `beforeAll`, hence the function.
 */
export function seedFaultsForEachTest(simulators: () => Array<FaultSeeded | undefined> = () => []): void {
  beforeEach(({ onTestFailed }) => {
    for (const simulator of simulators()) simulator?.reseedFaults(faultSeed);
    onTestFailed(() => {
      console.error(faultSeedMessage());
    });
  });
}
