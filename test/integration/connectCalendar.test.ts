import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { LocalFileKeyWrapper } from '../../dev/localKeyWrapper.js';
import { CosmosWatchedUsers } from '../../shared/adapters/cosmos/cosmosWatchedUsers.js';
import { MsalTokenProvider } from '../../shared/adapters/graph/msalTokenProvider.js';
import { SignedSingleUseStates, singleUseStates } from '../../shared/auth/singleUseStates.js';
import { isReauthorizationRequired } from '../../shared/calendar/tokenProvider.js';
import { DelegatedMailboxTokens } from '../../shared/connect/delegatedMailboxTokens.js';
import { SealedTokenCaches, tokenCaches } from '../../shared/connect/sealedTokenCaches.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../../shared/crypto/envelopeEncryption.js';
import { Counters } from '../../shared/observability/counters.js';
import { watchedUsers } from '../../shared/watch/watchedUser.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';

// The parts of "connect your calendar" against their real peers: Cosmos (the embedded server) and
// MSAL's real flows against the Graph simulator, whose tenant has NOT consented to the app.
const freshStore = freshCosmosDatabases();
let simulator: GraphSimulator;
let wrapper: LocalFileKeyWrapper;
const secret = new Uint8Array(32).fill(9);
const redirectUri = 'https://calendar.example/api/connect/callback';

beforeAll(async () => {
  simulator = await startTestGraphSimulator({ consented: false });
  wrapper = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'connect-')), 'key.json'));
});

afterAll(async () => {
  await simulator?.stop();
});

async function buildParts() {
  const store = await freshStore('connect', [singleUseStates, tokenCaches, dataKeys, watchedUsers]);
  const clock = simulator.clock;
  const cipher = new EnvelopeCipher(new DataKeyRing({ wrapper, keys: store.collection(dataKeys), clock }));
  const caches = new SealedTokenCaches({ documents: store.collection(tokenCaches), cipher, clock });
  const tokens = new MsalTokenProvider({
    clientId: simulator.tenant.app.clientId,
    clientSecret: simulator.tenant.app.clientSecret,
    authorityHost: simulator.baseUrl,
    clock,
  });
  const users = new CosmosWatchedUsers(store.collection(watchedUsers), clock);
  const delegation = new DelegatedMailboxTokens({ caches, tokens, users, clock, counters: new Counters() });
  const states = new SignedSingleUseStates({ secret, states: store.collection(singleUseStates), clock });
  return {
    store,
    caches,
    tokens,
    users,
    delegation,
    states,
    gateway: buildGatewayFor(simulator, { delegation }),
  };
}

/** Signs the user in as a browser would and redeems the code through the sealed cache store. */
async function connect(parts: Awaited<ReturnType<typeof buildParts>>, mail: string) {
  const verifier = randomBytes(32).toString('base64url');
  const url = await parts.tokens.authorizationUrl({
    redirectUri,
    state: 'state',
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    loginHint: mail,
  });
  const redirect = await fetch(url, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
  return parts.tokens.connectAccount({ code, codeVerifier: verifier, redirectUri }, parts.caches);
}

describe('signed single-use state on Cosmos', () => {
  it('when a state is presented once, then it gives back its payload, and never again', async () => {
    const { states } = await buildParts();
    const state = await states.issue('connect', { codeVerifier: 'v' });

    expect(await states.consume('connect', state)).toEqual({
      ok: true,
      payload: { codeVerifier: 'v' },
      tenantId: null,
    });
    expect(await states.consume('connect', state)).toEqual({ ok: false, refusal: 'replayed' });
  });

  it('when two callbacks race with one state, then exactly one wins', async () => {
    const { states } = await buildParts();
    const state = await states.issue('connect', { codeVerifier: 'v' });

    const results = await Promise.all([states.consume('connect', state), states.consume('connect', state)]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('when a state is forged, altered, of another flow or missing, then it is refused as forged', async () => {
    const { states } = await buildParts();
    const state = await states.issue('connect', { codeVerifier: 'v' });
    const [version, nonce, expiry] = state.split('.');

    for (const presented of [
      `${version}.${nonce}.${expiry}.${'A'.repeat(43)}`,
      `${version}.${nonce}.${Number(expiry) + 600}.${state.split('.')[3]}`,
      'v1.a.9999999999.b',
      '',
      null,
    ])
      expect(await states.consume('connect', presented)).toEqual({ ok: false, refusal: 'forged' });
    expect(await states.consume('onboarding', state)).toEqual({ ok: false, refusal: 'forged' });
    // The genuine state is still good: refusals change nothing.
    expect((await states.consume('connect', state)).ok).toBe(true);
  });

  it('when 10 minutes have passed, then the state is refused as expired', async () => {
    const { states } = await buildParts();
    const state = await states.issue('connect', { codeVerifier: 'v' });
    simulator.clock.advanceBy(10 * 60_000);

    expect(await states.consume('connect', state)).toEqual({ ok: false, refusal: 'expired' });
  });
});

describe('delegated tokens in a tenant that never consented', () => {
  it('when a user connects, then their mailbox is reached with their token, while app tokens are refused', async () => {
    const parts = await buildParts();
    const bjorn = simulator.tenant.users.find((user) => user.mail === 'bjorn@contoso.example');
    const account = await connect(parts, 'bjorn@contoso.example');
    const mailbox = { tenantId: account.tenantId, userId: account.userId };

    const settings = await parts.gateway.getMailboxSettings(mailbox);
    const appToken = parts.tokens.appToken(simulator.tenant.tenantId);

    expect(account.userId).toBe(bjorn?.id);
    expect(settings).toBeDefined();
    await expect(appToken).rejects.toMatchObject({ code: 'unauthorized' });
    const raw = JSON.stringify(
      (await parts.store.collection(tokenCaches).read(bjorn?.id ?? '', bjorn?.id ?? ''))?.value,
    );
    for (const clear of ['RefreshToken', 'AccessToken', 'bjorn@contoso.example'])
      expect(raw).not.toContain(clear);
    expect(await parts.caches.loginHint(account.userId)).toBe('bjorn@contoso.example');
  });

  it('when the refresh token is refused with AADSTS65004, then the user is in Error, asked once', async () => {
    const parts = await buildParts();
    const account = await connect(parts, 'kenji@contoso.example');
    const mailbox = { tenantId: account.tenantId, userId: account.userId };
    await parts.users.update(mailbox, (user) => ({ ...user, authorization: 'delegated' }), {
      createIfMissing: true,
    });
    simulator.identity.revokeRefreshTokens(account.userId, 65004);
    simulator.clock.advanceBy(2 * 3_600_000);

    const first = await parts.gateway.getMailboxSettings(mailbox).catch((error: unknown) => error);
    const asked = (await parts.users.find(mailbox))?.reauthorizationAskedAt;
    simulator.clock.advanceBy(86_400_000);
    await parts.gateway.getMailboxSettings(mailbox).catch(() => undefined);
    const user = await parts.users.find(mailbox);

    expect(isReauthorizationRequired(first)).toBe(true);
    expect(user).toMatchObject({ state: 'error', errorReason: 'consent-declined' });
    expect(asked).toBeTruthy();
    // A day later the same refusal does not ask again (30-day rule).
    expect(user?.reauthorizationAskedAt).toBe(asked);
  });
});
