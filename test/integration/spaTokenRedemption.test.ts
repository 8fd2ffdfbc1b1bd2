import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

// The simulator as Entra ID's SPA platform: a browser redeems its code cross-origin with PKCE and
// no secret, and the token endpoint answers with CORS headers for that origin.
let simulator: GraphSimulator;
const origin = 'http://127.0.0.1:7071';
const redirectUri = `${origin}/api/console/`;

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
});

afterAll(async () => {
  await simulator?.stop();
});

async function codeFor(user: string, challenge?: string): Promise<string> {
  const url = new URL(`${simulator.identity.authority()}/oauth2/v2.0/authorize`);
  url.searchParams.set('client_id', simulator.tenant.app.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', `openid ${simulator.identity.apiAudience()}/access_as_user`);
  url.searchParams.set('login_hint', user);
  if (challenge) {
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  const answer = await fetch(url, { redirect: 'manual' });
  return new URL(answer.headers.get('location') ?? '').searchParams.get('code') ?? '';
}

function redeem(code: string, verifier: string | undefined, from: string | undefined, uri = redirectUri) {
  return fetch(`${simulator.identity.authority()}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(from ? { origin: from } : {}) },
    body: new URLSearchParams({
      client_id: simulator.tenant.app.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: uri,
      ...(verifier ? { code_verifier: verifier } : {}),
    }),
  });
}

describe('SPA token redemption at the simulator', () => {
  it('when a browser redeems a PKCE code from its own origin without a secret, then it gets an API token with CORS headers', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await codeFor(
      'alice@contoso.example',
      createHash('sha256').update(verifier).digest('base64url'),
    );

    const answer = await redeem(code, verifier, origin);
    const body = (await answer.json()) as { access_token: string };

    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({
      roles: ['HybridCalendar.Admin'],
      preferred_username: 'alice@contoso.example',
    });
  });

  it('when the browser asks before posting (preflight), then the token endpoint allows its origin', async () => {
    const answer = await fetch(`${simulator.identity.authority()}/oauth2/v2.0/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });

    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('when a code was asked for without PKCE, then a cross-origin redemption is refused', async () => {
    const code = await codeFor('alice@contoso.example');

    const answer = await redeem(code, undefined, origin);

    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error_description: string }).error_description).toContain(
      'AADSTS9002325',
    );
  });

  it('when the request comes from another origin than the redirect URI, then it is refused', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await codeFor(
      'alice@contoso.example',
      createHash('sha256').update(verifier).digest('base64url'),
    );

    const answer = await redeem(code, verifier, 'http://evil.example');

    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error_description: string }).error_description).toContain(
      'AADSTS9002326',
    );
  });

  it('when a server redeems without a secret and without an origin, then the client is still refused', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await codeFor(
      'alice@contoso.example',
      createHash('sha256').update(verifier).digest('base64url'),
    );

    const answer = await redeem(code, verifier, undefined);

    expect(answer.status).toBe(401);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});
