import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { MsalTokenProvider } from '../../shared/adapters/graph/msalTokenProvider.js';
import type { DelegatedAccount, DelegatedTokenCacheStore } from '../../shared/calendar/tokenProvider.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

let simulator: GraphSimulator;
let provider: MsalTokenProvider;
const redirectUri = 'http://127.0.0.1:7071/api/connect/callback';

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
  provider = new MsalTokenProvider({
    clientId: simulator.tenant.app.clientId,
    clientSecret: simulator.tenant.app.clientSecret,
    authorityHost: simulator.baseUrl,
    clock: simulator.clock,
  });
});

afterAll(async () => {
  await simulator?.stop();
});

/** Follows the authorize redirect as a browser would, signed in as `loginHint`; returns the code. */
async function signIn(loginHint: string, codeChallenge: string, state: string): Promise<URL> {
  const url = new URL(await provider.authorizationUrl({ redirectUri, state, codeChallenge, loginHint }));
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

/** Token caches kept in memory, one per user; `saved` shows each version stored. */
class InMemoryTokenCaches implements DelegatedTokenCacheStore {
  readonly saved: string[] = [];
  readonly #caches = new Map<string, string>();

  async load(userId: string): Promise<string | undefined> {
    return this.#caches.get(userId);
  }

  async save(account: DelegatedAccount, serializedCache: string): Promise<void> {
    this.#caches.set(account.userId, serializedCache);
    this.saved.push(serializedCache);
  }
}

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('MsalTokenProvider against the Graph simulator', () => {
  it('when the tenant consented, then client credentials give an app token Graph accepts', async () => {
    const token = await provider.appToken(simulator.tenant.tenantId);
    const claims = decodeJwt(token);

    expect(claims).toMatchObject({
      tid: simulator.tenant.tenantId,
      idtyp: 'app',
      aud: 'https://graph.microsoft.com',
    });
    const response = await fetch(`${simulator.graphUrl}/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });

  it('when asked twice, then MSAL serves the second app token from its cache', async () => {
    expect(await provider.appToken(simulator.tenant.tenantId)).toBe(
      await provider.appToken(simulator.tenant.tenantId),
    );
  });

  it('when the secret is wrong, then the failure is unauthorized and names no secret', async () => {
    const wrong = new MsalTokenProvider({
      clientId: simulator.tenant.app.clientId,
      clientSecret: 'not-the-secret',
      authorityHost: simulator.baseUrl,
      clock: simulator.clock,
    });

    const failure = await wrong.appToken(simulator.tenant.tenantId).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'unauthorized' });
    expect(String((failure as Error).message)).not.toContain('not-the-secret');
  });

  it('when the tenant has not consented, then app tokens are refused with unauthorized', async () => {
    const unconsented = await startTestGraphSimulator({ consented: false });
    const other = new MsalTokenProvider({
      clientId: unconsented.tenant.app.clientId,
      clientSecret: unconsented.tenant.app.clientSecret,
      authorityHost: unconsented.baseUrl,
      clock: unconsented.clock,
    });
    try {
      await expect(other.appToken(unconsented.tenant.tenantId)).rejects.toMatchObject({
        code: 'unauthorized',
      });
    } finally {
      await unconsented.stop();
    }
  });

  it('when a user signs in with PKCE, then the code redeems into an account for that user, its cache stored', async () => {
    const { verifier, challenge } = pkcePair();
    const callback = await signIn('bjorn@contoso.example', challenge, 'state-1');
    const caches = new InMemoryTokenCaches();

    const account = await provider.connectAccount(
      { code: callback.searchParams.get('code') ?? '', codeVerifier: verifier, redirectUri },
      caches,
    );

    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(account.userId).toBe('1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02');
    expect(account.tenantId).toBe(simulator.tenant.tenantId);
    expect(caches.saved).toHaveLength(1);
    const accessToken = await provider.delegatedAccessToken(account, caches);
    expect(decodeJwt(accessToken)).toMatchObject({ idtyp: 'user', oid: account.userId });
    const me = await fetch(`${simulator.graphUrl}/me/events`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);
  });

  it('when the code verifier does not match the challenge, then the code is refused and nothing is stored', async () => {
    const { challenge } = pkcePair();
    const callback = await signIn('ayse@contoso.example', challenge, 'state-2');
    const caches = new InMemoryTokenCaches();

    await expect(
      provider.connectAccount(
        { code: callback.searchParams.get('code') ?? '', codeVerifier: pkcePair().verifier, redirectUri },
        caches,
      ),
    ).rejects.toMatchObject({ code: 'reauthorization-required' });
    expect(caches.saved).toEqual([]);
  });

  it('when the access token must be renewed, then the refresh token gets a new one, until it is revoked', async () => {
    const { verifier, challenge } = pkcePair();
    const callback = await signIn('kenji@contoso.example', challenge, 'state-3');
    const caches = new InMemoryTokenCaches();
    const account = await provider.connectAccount(
      { code: callback.searchParams.get('code') ?? '', codeVerifier: verifier, redirectUri },
      caches,
    );
    const first = await provider.delegatedAccessToken(account, caches);

    const refreshed = await provider.delegatedAccessToken(account, caches, { forceRefresh: true });
    await fetch(`${simulator.baseUrl}/_control/mailboxes/kenji@contoso.example/revoke-refresh-tokens`, {
      method: 'POST',
    });
    const afterRevoke = provider.delegatedAccessToken(account, caches, { forceRefresh: true });

    expect(refreshed).not.toBe(first);
    // The refresh rotated the refresh token: the new cache was stored.
    expect(new Set(caches.saved).size).toBeGreaterThanOrEqual(2);
    await expect(afterRevoke).rejects.toMatchObject({ code: 'reauthorization-required' });
  });
});
