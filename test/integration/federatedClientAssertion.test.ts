import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import {
  CachedClientAssertions,
  type ClientAssertionSource,
} from '../../shared/adapters/graph/clientAssertion.js';
import { MsalTokenProvider } from '../../shared/adapters/graph/msalTokenProvider.js';
import { AdjustableClock } from '../../shared/time/clock.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';
import { type AssertionVariant, LocalManagedIdentityIssuer } from '../support/localManagedIdentity.js';

let simulator: GraphSimulator;
let managedIdentity: LocalManagedIdentityIssuer;

beforeAll(async () => {
  // One clock for the identity and the simulator, so that moving it ages the assertions too.
  const clock = new AdjustableClock();
  managedIdentity = new LocalManagedIdentityIssuer(clock);
  await managedIdentity.start();
  simulator = await startTestGraphSimulator({
    clock,
    federatedCredentials: [managedIdentity.federatedCredential()],
  });
});

afterAll(async () => {
  await simulator?.stop();
  await managedIdentity?.stop();
});

function providerWith(clientAssertions: ClientAssertionSource): MsalTokenProvider {
  return new MsalTokenProvider({
    clientId: simulator.tenant.app.clientId,
    clientAssertions,
    authorityHost: simulator.baseUrl,
    clock: simulator.clock,
  });
}

/** MSAL's refusal as the service sees it, with the identity platform's AADSTS code. */
async function refusalOf(variant: AssertionVariant): Promise<{ code: string; aadsts: string }> {
  const provider = providerWith({ assertion: () => managedIdentity.sign(variant) });
  const failure = await provider.appToken(simulator.tenant.tenantId).then(
    () => {
      throw new Error('expected the assertion to be refused');
    },
    (error: unknown) => error as { code: string; cause?: { errorMessage?: string } },
  );
  return { code: failure.code, aadsts: /AADSTS\d+/.exec(failure.cause?.errorMessage ?? '')?.[0] ?? '' };
}

describe('MSAL with a client assertion from the managed identity (federated identity credential)', () => {
  it('when the assertion comes from the trusted identity, then MSAL gets an app token Graph accepts', async () => {
    const provider = providerWith(new CachedClientAssertions(managedIdentity, simulator.clock));

    const token = await provider.appToken(simulator.tenant.tenantId);

    expect(decodeJwt(token)).toMatchObject({ tid: simulator.tenant.tenantId, idtyp: 'app' });
    const response = await fetch(`${simulator.graphUrl}/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });

  it('when the assertion nears its expiry, then a new one is signed before the next token request', async () => {
    const provider = providerWith(new CachedClientAssertions(managedIdentity, simulator.clock));
    const before = managedIdentity.signed;
    await provider.appToken(simulator.tenant.tenantId, { forceRefresh: true });
    await provider.appToken(simulator.tenant.tenantId, { forceRefresh: true });
    const reused = managedIdentity.signed - before;

    // 56 minutes on: the one-hour assertion is still valid but inside the renewal margin.
    simulator.clock.advanceBy(56 * 60_000);
    const token = await provider.appToken(simulator.tenant.tenantId, { forceRefresh: true });

    expect(reused).toBe(1);
    expect(managedIdentity.signed - before).toBe(2);
    expect(decodeJwt(token)).toMatchObject({ idtyp: 'app' });
  });

  it.each([
    ['another issuer', { issuer: 'https://login.microsoftonline.com/another-tenant/v2.0' }, 'AADSTS700211'],
    ['another subject', { subject: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a' }, 'AADSTS700213'],
    ['another audience', { audience: 'api://not-the-token-exchange' }, 'AADSTS700212'],
    ['an expired assertion', { lifetimeSeconds: -60 }, 'AADSTS700024'],
    ['a key the issuer never published', { foreignKey: true }, 'AADSTS5002738'],
  ] satisfies Array<[string, AssertionVariant, string]>)(
    'when the assertion has %s, then the token request is refused as unauthorized',
    async (_what, variant, aadsts) => {
      expect(await refusalOf(variant)).toEqual({ code: 'unauthorized', aadsts });
    },
  );

  it('when the managed identity cannot give an assertion, then the failure is dependency-unavailable', async () => {
    const provider = providerWith({
      assertion: () => Promise.reject(new Error('managed identity endpoint unreachable')),
    });

    await expect(provider.appToken(simulator.tenant.tenantId)).rejects.toMatchObject({
      code: 'dependency-unavailable',
    });
  });
});
