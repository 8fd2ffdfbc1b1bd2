import { z } from 'zod';
import { newPkcePair } from '../auth/authorizationCode.js';
import type { SignedSingleUseStates, StateRefusal } from '../auth/singleUseStates.js';
import type { DelegatedTokenProvider, StoredDelegatedTokens } from '../calendar/tokenProvider.js';
import { AppError, isAppError } from '../errors.js';
import type { Counters } from '../observability/counters.js';
import { requestActivation } from '../watch/lifecycle.js';
import type { WatchContext } from '../watch/watchContext.js';
import { bindingMatches, newBrowserBinding } from './connectBrowserBinding.js';
import type { DelegatedMailboxTokens } from './delegatedMailboxTokens.js';
import type { SealedTokenCaches } from './sealedTokenCaches.js';

/** What "connect your calendar" works with. */
export interface ConnectContext {
  tokens: Pick<DelegatedTokenProvider, 'authorizationUrl'> & StoredDelegatedTokens;
  states: SignedSingleUseStates;
  caches: SealedTokenCaches;
  delegation: DelegatedMailboxTokens;
  watch: WatchContext;
  counters: Counters;
  /** The app's public base URL; the identity platform sends the user back to `{base}/api/connect/callback`. */
  publicBaseUrl: string;
}

const statePurpose = 'connect';

/** The redirect URL to register in the app registration for "connect your calendar". */
export function connectRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/connect/callback`;
}

/** The link that starts (or restarts) "connect your calendar", for a user when their id is given. */
export function reconnectUrl(publicBaseUrl: string, loginHint?: string): string {
  const url = new URL(`${publicBaseUrl.replace(/\/+$/, '')}/api/connect`);
  if (loginHint) url.searchParams.set('login_hint', loginHint);
  return url.toString();
}

export const startConnectQuerySchema = z.object({
  /** Who signs in: a user principal name or object id, passed on to the sign-in page. */
  login_hint: z.string().trim().min(1).max(256).optional(),
});

/**
 * Starts the sign-in: authorization code with PKCE (S256), a signed single-use state holding the
 * verifier and the browser binding's nonce; the browser gets the cookie that binds the sign-in to it.
 */
export async function startConnect(
  context: ConnectContext,
  loginHint?: string,
): Promise<{ location: string; setCookie: string }> {
  const { codeVerifier, codeChallenge } = newPkcePair();
  const binding = newBrowserBinding();
  const state = await context.states.issue(statePurpose, { codeVerifier, browserNonce: binding.nonce });
  context.counters.increment('connect.started');
  const location = await context.tokens.authorizationUrl({
    redirectUri: connectRedirectUri(context.publicBaseUrl),
    state,
    codeChallenge,
    ...(loginHint ? { loginHint } : {}),
  });
  return { location, setCookie: binding.setCookie };
}

export const connectCallbackQuerySchema = z.object({
  code: z.string().min(1).max(4_096).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().min(1).max(256).optional(),
  error_description: z.string().max(2_048).optional(),
});
export type ConnectCallbackQuery = z.infer<typeof connectCallbackQuerySchema>;

/** How a callback ended: connected, or refused with a reason the page explains. */
export type ConnectOutcome =
  | { kind: 'connected'; userId: string }
  | {
      kind: 'refused';
      reason: `state-${StateRefusal}` | 'other-browser' | 'sign-in-failed' | 'code-refused';
      detail?: string;
    };

/**
 * The identity platform's answer: the browser must present the binding cookie of the sign-in it
 * started, and the state is checked (signature, expiry, single use) and matched with that cookie
 * before anything else; an error answer is reported, and a code is redeemed with the PKCE verifier. The user
 * is then watched with their delegated tokens (their tenant need not have consented); reconnecting
 * clears the reason of an Error and sends the user through activation again.
 */
export async function completeConnect(
  context: ConnectContext,
  query: ConnectCallbackQuery,
  browserBinding: string | undefined,
): Promise<ConnectOutcome> {
  // Without the cookie the state is not even consumed: nothing is written.
  if (!browserBinding) return refuseOtherBrowser(context);
  const consumed = await context.states.consume(statePurpose, query.state);
  if (!consumed.ok) {
    context.counters.increment(`connect.refused.state-${consumed.refusal}`);
    return { kind: 'refused', reason: `state-${consumed.refusal}` };
  }
  // A state started in another browser is spent here, so it cannot be tried again anywhere.
  if (!bindingMatches(browserBinding, consumed.payload.browserNonce)) return refuseOtherBrowser(context);
  if (query.error || !query.code) {
    context.counters.increment('connect.refused.sign-in-failed');
    // The AADSTS number says why; the description may name the user, so only the number is kept.
    const aadsts = /AADSTS\d{4,7}/.exec(query.error_description ?? '')?.[0];
    return {
      kind: 'refused',
      reason: 'sign-in-failed',
      detail: [query.error ?? 'no code', aadsts].filter(Boolean).join(' '),
    };
  }
  const codeVerifier = consumed.payload.codeVerifier;
  if (!codeVerifier) throw new AppError('input-invalid', 'The sign-in state carries no PKCE verifier.');
  let account: Awaited<ReturnType<StoredDelegatedTokens['connectAccount']>>;
  try {
    account = await context.tokens.connectAccount(
      { code: query.code, codeVerifier, redirectUri: connectRedirectUri(context.publicBaseUrl) },
      context.caches,
    );
  } catch (error) {
    if (isAppError(error) && !error.transient) {
      context.counters.increment('connect.refused.code-refused');
      return { kind: 'refused', reason: 'code-refused', detail: error.code };
    }
    throw error;
  }
  context.delegation.forget(account.userId);
  const now = context.watch.clock.now().toISOString();
  const mailbox = { tenantId: account.tenantId, userId: account.userId };
  const user = await context.watch.users.update(
    mailbox,
    (current) => ({
      ...current,
      enabled: true,
      authorization: 'delegated',
      connectedAt: now,
      reauthorizationAskedAt: null,
      // The Error (if any) is left for activation to clear once Graph answers with the new tokens;
      // it retries now rather than at the scheduled time.
      nextRetryAt: null,
    }),
    { createIfMissing: true },
  );
  if (!user) throw new AppError('dependency-unavailable', 'connect: the user could not be recorded');
  await requestActivation(context.watch, { action: 'activate', cause: 'connected', ...mailbox });
  context.counters.increment('connect.connected');
  return { kind: 'connected', userId: account.userId };
}

function refuseOtherBrowser(context: ConnectContext): ConnectOutcome {
  context.counters.increment('connect.refused.other-browser');
  return { kind: 'refused', reason: 'other-browser' };
}
