import { createHash, randomBytes } from 'node:crypto';

/** Where to send the browser for an authorization code (PKCE, S256): the same for every sign-in flow. */
export interface AuthorizationUrlRequest {
  redirectUri: string;
  /** The flow's signed single-use state (`singleUseStates.ts`). */
  state: string;
  codeChallenge: string;
  loginHint?: string;
}

/** An authorization code to redeem, with the PKCE verifier its state kept on the server. */
export interface CodeRedemptionRequest {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

/** A PKCE verifier (kept server-side in the state) and its S256 challenge (the only part that leaves). */
export function newPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') };
}
