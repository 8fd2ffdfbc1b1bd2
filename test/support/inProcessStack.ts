import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningLocalStack, startLocalStack } from '../../dev/localStack.js';

/**
 * The whole local stack inside the test process (free ports, the tests' CA, timers off), for tests
 * that move the clock and call timers directly while the real consumers run.
 */
export async function startInProcessStack(): Promise<RunningLocalStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'hybrid-calendar-stack-'));
  const testStateDir = process.env.TEST_STATE_DIR;
  if (!testStateDir) throw new Error('TEST_STATE_DIR is not set: run the tests through vitest');
  await cp(join(testStateDir, 'tls'), join(stateDir, 'tls'), { recursive: true });
  const stack = await startLocalStack({
    stateDir,
    apiPort: 0,
    cosmosPort: 0,
    graphPort: 0,
    runTimers: false,
    quiet: true,
  });
  await stack.bus.idle();
  return stack;
}

/** Moves the service's clock and the simulator's together. */
export function advanceClocks(stack: RunningLocalStack, ms: number): void {
  stack.clock.offsetMs += ms;
  stack.graph.clock.offsetMs += ms;
}
