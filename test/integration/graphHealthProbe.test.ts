import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { MsalTokenProvider } from '../../shared/adapters/graph/msalTokenProvider.js';
import { checkHealth } from '../../shared/health/checkHealth.js';
import { graphTokenProbe } from '../../shared/health/dependencyProbes.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

// The health check's Graph probe with the production token provider (MSAL) against the simulator.
let simulator: GraphSimulator;

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
});

afterAll(async () => {
  await simulator?.stop();
});

function buildProbe(clientSecret: string) {
  const tokens = new MsalTokenProvider({
    clientId: simulator.tenant.app.clientId,
    clientSecret,
    authorityHost: simulator.baseUrl,
    clock: simulator.clock,
  });
  return graphTokenProbe({ anyConsentedTenant: async () => simulator.tenant.tenantId }, tokens);
}

describe('the Graph health probe against the simulator', () => {
  it('when the app’s credentials are good, then Graph is up', async () => {
    const report = await checkHealth([buildProbe(simulator.tenant.app.clientSecret)]);

    expect(report.components.graph).toEqual({ status: 'up', latencyMs: expect.any(Number) });
  });

  it('when the client secret is wrong, then Graph is down as unauthorized, naming no secret', async () => {
    const report = await checkHealth([buildProbe('not-the-secret')]);

    expect(report.status).toBe('down');
    expect(report.components.graph?.reason).toMatch(
      /^unauthorized: app token: the identity platform refused/,
    );
    expect(JSON.stringify(report)).not.toContain('not-the-secret');
  });
});
