import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, hasErrorCode } from '../errors.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import type { EnablementContext } from './enablementJobs.js';
import {
  consentingRoles,
  type OnboardedTenant,
  type OnboardingState,
  onboardingStateSchema,
} from './onboardingRecords.js';
import type { AdminSignIn, MailboxTestFailure, TenantDirectory } from './ports.js';
import type { OnboardingTokenSigner } from './signedTokens.js';

/** What tenant onboarding needs: ports only. */
export interface OnboardingContext {
  clock: Clock;
  signer: OnboardingTokenSigner;
  states: DocumentCollection<OnboardingState>;
  tenants: DocumentCollection<OnboardedTenant>;
  signIn: AdminSignIn;
  directory: TenantDirectory;
  enablement: EnablementContext;
  /** The one redirect URL of sign-in and consent: `{PUBLIC_BASE_URL}/api/onboarding/tenant/callback`. */
  callbackUrl: string;
}

/** A `state` lives this long: Entra ID's codes live about as long. */
export const stateLifetimeMs = 10 * 60_000;
/** The form session of an administrator who finished consent. */
export const sessionLifetimeMs = 60 * 60_000;
/** Cosmos keeps a used or stale state a day, so that a replay is told apart from a forgery. */
const stateRecordTtlSeconds = 24 * 3_600;

const signedStateSchema = z.object({ n: z.string().min(16).max(64), x: z.number().int() });
const sessionSchema = z.object({ t: z.string().min(1), a: z.string().min(1), x: z.number().int() });

/** An administrator's form session: the tenant they onboarded and who they are. */
export interface OnboardingSession {
  tenantId: string;
  adminObjectId: string;
}

/** The query of the callback: every value optional and bounded; unknown keys are ignored. */
export const callbackQuerySchema = z.object({
  state: z.string().max(2_048).optional(),
  code: z.string().max(8_192).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2_048).optional(),
  admin_consent: z.string().max(16).optional(),
  tenant: z.string().max(256).optional(),
  scope: z.string().max(2_048).optional(),
});
export type CallbackQuery = z.infer<typeof callbackQuerySchema>;

export const startQuerySchema = z.object({ login_hint: z.string().max(256).optional() });

export type InvalidStateReason = 'missing' | 'forged' | 'expired' | 'replayed';

/** What the callback comes to; each kind has its page (`onboardingPages.ts`). */
export type CallbackOutcome =
  | { kind: 'invalid-state'; reason: InvalidStateReason }
  | { kind: 'sign-in-failed'; error: string; description: string }
  | { kind: 'not-an-administrator' }
  | { kind: 'redirect'; location: string }
  | { kind: 'consent-declined'; error: string; description: string }
  | { kind: 'onboarded'; tenant: OnboardedTenant; session: string };

function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

async function issueState(
  context: OnboardingContext,
  fields: Pick<OnboardingState, 'purpose' | 'codeVerifier' | 'tenantId' | 'adminObjectId'>,
): Promise<string> {
  const now = context.clock.now();
  const expiresAtMs = now.getTime() + stateLifetimeMs;
  const id = newNonce();
  const record: OnboardingState = {
    id,
    purpose: fields.purpose,
    ...(fields.codeVerifier ? { codeVerifier: fields.codeVerifier } : {}),
    ...(fields.tenantId ? { tenantId: fields.tenantId } : {}),
    ...(fields.adminObjectId ? { adminObjectId: fields.adminObjectId } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(expiresAtMs).toISOString(),
    ttl: stateRecordTtlSeconds,
  };
  await context.states.create(onboardingStateSchema.parse(record));
  return context.signer.sign('state', { n: id, x: expiresAtMs });
}

/**
 * Checks a returned `state` and uses it up: the signature first, then the expiry (neither writes),
 * then a conditional write that marks it used, so that of two racing callbacks only one goes on.
 */
async function consumeState(
  context: OnboardingContext,
  token: string | undefined,
): Promise<{ ok: true; state: OnboardingState } | { ok: false; reason: InvalidStateReason }> {
  if (!token) return { ok: false, reason: 'missing' };
  const signed = context.signer.verify('state', token, signedStateSchema);
  if (!signed) return { ok: false, reason: 'forged' };
  const now = context.clock.now();
  if (signed.x <= now.getTime()) return { ok: false, reason: 'expired' };
  const stored = await context.states.read(signed.n, signed.n);
  if (!stored) return { ok: false, reason: 'replayed' };
  if (stored.value.consumedAt) return { ok: false, reason: 'replayed' };
  if (Date.parse(stored.value.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  try {
    await context.states.replace(
      { ...stored.value, consumedAt: now.toISOString() },
      { ifMatch: stored.etag },
    );
  } catch (error) {
    if (hasErrorCode(error, 'precondition-failed')) return { ok: false, reason: 'replayed' };
    throw error;
  }
  return { ok: true, state: stored.value };
}

/** `GET /api/onboarding/tenant`: a state with the PKCE verifier, and where to sign in. */
export async function startTenantOnboarding(
  context: OnboardingContext,
  request: { loginHint?: string | undefined },
): Promise<string> {
  const codeVerifier = randomBytes(32).toString('base64url');
  const state = await issueState(context, { purpose: 'sign-in', codeVerifier });
  return context.signIn.authorizationUrl({
    redirectUri: context.callbackUrl,
    state,
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    ...(request.loginHint ? { loginHint: request.loginHint } : {}),
  });
}

/** Whether the roles allow granting tenant-wide consent. */
export function mayConsentForTenant(roleTemplateIds: readonly string[]): boolean {
  const held = new Set(roleTemplateIds.map((id) => id.toLowerCase()));
  return (
    held.has(consentingRoles.globalAdministrator) || held.has(consentingRoles.privilegedRoleAdministrator)
  );
}

/**
 * `GET /api/onboarding/tenant/callback`, for the sign-in and the admin consent alike: the state says
 * which step answered. Nothing but the state's own use is written before the consent succeeded.
 */
export async function completeOnboardingStep(
  context: OnboardingContext,
  query: CallbackQuery,
): Promise<CallbackOutcome> {
  const consumed = await consumeState(context, query.state);
  if (!consumed.ok) return { kind: 'invalid-state', reason: consumed.reason };
  const { state } = consumed;
  if (state.purpose === 'sign-in') return afterSignIn(context, state, query);
  return afterConsent(context, state, query);
}

async function afterSignIn(
  context: OnboardingContext,
  state: OnboardingState,
  query: CallbackQuery,
): Promise<CallbackOutcome> {
  if (query.error)
    return { kind: 'sign-in-failed', error: query.error, description: query.error_description ?? '' };
  if (!query.code || !state.codeVerifier)
    return { kind: 'sign-in-failed', error: 'invalid_request', description: 'The answer carried no code.' };
  const signedIn = await context.signIn.redeem({
    code: query.code,
    codeVerifier: state.codeVerifier,
    redirectUri: context.callbackUrl,
  });
  const roles = signedIn.wids ?? (await context.signIn.directoryRoleTemplateIds(signedIn.accessToken));
  if (!mayConsentForTenant(roles)) return { kind: 'not-an-administrator' };
  const consentState = await issueState(context, {
    purpose: 'consent',
    tenantId: signedIn.tenantId.toLowerCase(),
    adminObjectId: signedIn.userId.toLowerCase(),
  });
  return {
    kind: 'redirect',
    location: context.signIn.adminConsentUrl({
      tenantId: signedIn.tenantId.toLowerCase(),
      redirectUri: context.callbackUrl,
      state: consentState,
    }),
  };
}

async function afterConsent(
  context: OnboardingContext,
  state: OnboardingState,
  query: CallbackQuery,
): Promise<CallbackOutcome> {
  // Entra ID sends admin_consent=True with errors too: the error decides.
  if (query.error)
    return { kind: 'consent-declined', error: query.error, description: query.error_description ?? '' };
  const tenantId = state.tenantId;
  const adminObjectId = state.adminObjectId;
  if (
    !tenantId ||
    !adminObjectId ||
    query.admin_consent?.toLowerCase() !== 'true' ||
    query.tenant?.toLowerCase() !== tenantId
  ) {
    return {
      kind: 'consent-declined',
      error: 'invalid_response',
      description: 'The consent answer did not grant consent for the tenant that signed in.',
    };
  }
  const now = context.clock.now().toISOString();
  // Entra ID may take a moment to let the new consent through: the tenant is recorded either way.
  const domains = await context.directory.domains(tenantId).catch((error: unknown) => {
    if (hasErrorCode(error, 'unauthorized')) return [] as string[];
    throw error;
  });
  const existing = await context.tenants.read(tenantId, tenantId);
  const tenant: OnboardedTenant = {
    id: tenantId,
    consentedAt: now,
    adminObjectId,
    domains,
    updatedAt: now,
  };
  await context.tenants.upsert(existing ? { ...existing.value, ...tenant } : tenant);
  return { kind: 'onboarded', tenant, session: issueSession(context, { tenantId, adminObjectId }) };
}

function issueSession(context: OnboardingContext, session: OnboardingSession): string {
  return context.signer.sign('session', {
    t: session.tenantId,
    a: session.adminObjectId,
    x: context.clock.now().getTime() + sessionLifetimeMs,
  });
}

/** The administrator behind a form post; `forbidden` when the session is forged or over. */
export function sessionOf(context: OnboardingContext, token: string): OnboardingSession {
  const session = context.signer.verify('session', token, sessionSchema);
  if (!session || session.x <= context.clock.now().getTime())
    throw new AppError('forbidden', 'The onboarding session is invalid or over: start onboarding again.');
  return { tenantId: session.t, adminObjectId: session.a };
}

/** What the test-mailbox form shows. */
export type MailboxTestOutcome = { ok: true } | { ok: false; failure: MailboxTestFailure; detail: string };

/** Creates and deletes a test event in a mailbox the administrator names. */
export async function testTenantMailbox(
  context: OnboardingContext,
  session: OnboardingSession,
  userPrincipalName: string,
): Promise<MailboxTestOutcome> {
  return context.directory.testMailbox(session.tenantId, userPrincipalName);
}

/** Whether the tenant went through onboarding, for the admin API. */
export async function onboardingOf(
  context: Pick<OnboardingContext, 'tenants'>,
  tenantId: string,
): Promise<OnboardedTenant> {
  const stored = await context.tenants.read(tenantId, tenantId);
  if (!stored) throw new AppError('not-found', 'This tenant has not been onboarded.');
  return stored.value;
}
