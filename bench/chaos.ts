import { dirname, resolve } from 'node:path';
import { startThrowawayStack } from '../dev/localStack.js';
import { ensureLocalTls, relaunchTrustingLocalCa } from '../dev/localTls.js';
import { defaultFaultSeed, seedFromEnv } from '../dev/seededRandom.js';
import { runChaosScenario } from './chaosScenario.js';

/**
 * `npm run chaos`: issue 11's chaos scenario at full size (300 events over 10 users) against the
 * in-process stack, its figures printed one per line; exits 1, naming each, when a promise broke.
 * The faults come from TEST_FAULT_SEED (default 1), as in the tests.
 */
async function main(): Promise<void> {
  const tls = await ensureLocalTls(resolve(process.env.LOCAL_STATE_DIR || '.local'));
  await relaunchTrustingLocalCa(tls.caCertPath);
  const seed = seedFromEnv(process.env, 'TEST_FAULT_SEED', defaultFaultSeed);
  const size = { users: 10, events: 300 };
  console.log(
    `hybrid-calendar chaos (node ${process.version}, ${new Date().toISOString()}, fault seed ${seed})`,
  );
  const stack = await startThrowawayStack(dirname(tls.caCertPath), { faultSeed: seed });
  const started = performance.now();
  try {
    const { figures, problems } = await runChaosScenario(stack, size);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const keyword = figures.keywordEvents;
    for (const line of [
      `events: ${figures.events} over ${figures.users} users, ${keyword} with @webex or @meet (a weekly series among them)`,
      `decorating PATCHes: ${figures.decoratingPatches} for ${figures.decoratedKeywordEvents} keyword events to decorate (${(figures.decoratingPatches / figures.decoratedKeywordEvents).toFixed(2)} each; ${keyword - figures.decoratedKeywordEvents} deleted before decoration), rewrites ${figures.rewrites}, answered 412 ${figures.conflicts}, the scenario's own edits ${figures.ownPatches}, other events decorated ${figures.otherEventsDecorated}`,
      `retries scheduled: ${figures.retriesScheduled}`,
      `dead letters by reason: ${JSON.stringify(figures.deadLetters)}`,
      `Graph requests served by kind: ${JSON.stringify(figures.graphRequests)}`,
      `Graph faults injected (429/503): ${figures.injectedGraphFaults}; notifications delivered ${figures.notifications.delivered}, dropped ${figures.notifications.dropped}, duplicated ${figures.notifications.duplicated}`,
      `time taken: ${seconds} s (${(figures.simulatedMs / 3_600_000).toFixed(2)} h on the stack's clock)`,
      `fault seed: ${seed} (replay with TEST_FAULT_SEED=${seed} npm run chaos)`,
    ])
      console.log(line);
    if (problems.length > 0) {
      console.error(`${problems.length} problem(s):`);
      for (const problem of problems) console.error(`  ${problem}`);
      process.exitCode = 1;
    } else console.log('every promise held');
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
