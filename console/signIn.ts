/**
 * Sign-in with the authorization code flow and PKCE (S256), as a single-page application: the
 * browser redeems the code at the authority's token endpoint (CORS) with no secret. The tokens stay
 * in memory; only the PKCE verifier and state cross the redirect, in sessionStorage, and are
 * removed as soon as they are used.
 */
export interface ConsoleConfiguration {
  authority: string;
  clientId: string;
  scope: string;
  adminRole: string;
}

export interface Session {
  accessToken: string;
  tenantId: string;
  name: string;
  username: string;
  roles: string[];
  expiresAt: number;
}

const pendingKey = 'hybrid-calendar-console.pending-sign-in';

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Where the authority sends the browser back: the console itself. */
export function redirectUri(): string {
  return new URL('/api/console/', window.location.origin).toString();
}

/** Goes to the authority's sign-in; `loginHint` picks the account (the local simulator signs it in at once). */
export async function startSignIn(configuration: ConsoleConfiguration, loginHint: string): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(pendingKey, JSON.stringify({ verifier, state }));
  const url = new URL(`${configuration.authority}/oauth2/v2.0/authorize`);
  url.searchParams.set('client_id', configuration.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('response_mode', 'query');
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', `openid profile ${configuration.scope}`);
  url.searchParams.set('code_challenge', await challengeOf(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('prompt', 'select_account');
  if (loginHint.trim()) url.searchParams.set('login_hint', loginHint.trim());
  window.location.assign(url.toString());
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(json, (character) => character.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/**
 * Finishes a sign-in when the authority sent the browser back with a code: redeems it and clears
 * the code from the address bar. Undefined when this page load is not a return from sign-in.
 */
export async function completeSignIn(configuration: ConsoleConfiguration): Promise<Session | undefined> {
  const query = new URLSearchParams(window.location.search);
  if (!query.has('code') && !query.has('error')) return undefined;
  window.history.replaceState(null, '', window.location.pathname);
  const pending = sessionStorage.getItem(pendingKey);
  sessionStorage.removeItem(pendingKey);
  if (query.has('error'))
    throw new Error(query.get('error_description') ?? query.get('error') ?? 'Sign-in failed.');
  const { verifier, state } = JSON.parse(pending ?? '{}') as { verifier?: string; state?: string };
  if (!verifier || !state || state !== query.get('state'))
    throw new Error('This sign-in was not started here (state mismatch). Sign in again.');
  const response = await fetch(`${configuration.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: configuration.clientId,
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      code_verifier: verifier,
      scope: `openid profile ${configuration.scope}`,
    }),
  });
  const answer = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !answer.access_token)
    throw new Error(answer.error_description ?? `The token endpoint answered ${response.status}.`);
  const claims = claimsOf(answer.access_token);
  return {
    accessToken: answer.access_token,
    tenantId: String(claims.tid ?? ''),
    name: String(claims.name ?? ''),
    username: String(claims.preferred_username ?? ''),
    roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
    expiresAt: Number(claims.exp ?? 0) * 1000,
  };
}
