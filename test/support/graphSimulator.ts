import { GraphSimulator, type GraphSimulatorOptions } from '../../dev/graphSimulator/server.js';
import { ensureLocalTls } from '../../dev/localTls.js';
import { GraphCalendarGateway } from '../../shared/adapters/graph/graphCalendarGateway.js';
import { MsalTokenProvider } from '../../shared/adapters/graph/msalTokenProvider.js';
import { defaultRetryPolicy } from '../../shared/adapters/graph/retryPolicy.js';
import { seededJitter } from '../../shared/random/seededRandom.js';
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

/**
 * The Graph gateway as production builds it (MSAL client credentials, the per-mailbox limits), aimed
 * at a test simulator and living by its clock: production's retry attempts with short pauses, so
 * tests run quickly on the real policy.
 */
export function buildGatewayFor(
  simulator: GraphSimulator,
  overrides: Partial<ConstructorParameters<typeof GraphCalendarGateway>[0]> = {},
): GraphCalendarGateway {
  return new GraphCalendarGateway({
    graphBaseUrl: simulator.graphUrl,
    clock: simulator.clock,
    tokens: new MsalTokenProvider({
      clientId: simulator.tenant.app.clientId,
      clientSecret: simulator.tenant.app.clientSecret,
      authorityHost: simulator.baseUrl,
      clock: simulator.clock,
    }),
    retryPolicy: { ...defaultRetryPolicy, baseDelayMs: 20, maxDelayMs: 1_000 },
    jitter: seededJitter(faultSeed),
    ...overrides,
  });
}
