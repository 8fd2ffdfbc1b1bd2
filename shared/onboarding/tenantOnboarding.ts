import { z } from 'zod';
import { newPkcePair } from '../auth/authorizationCode.js';
import type { SignedSingleUseStates, StateRefusal } from '../auth/singleUseStates.js';
import { AppError, hasErrorCode } from '../errors.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import type { EnablementContext } from './enablementJobs.js';
import { consentingRoles, type OnboardedTenant } from './onboardingRecords.js';
import type { OnboardingSessionSigner } from './onboardingSessions.js';
import type { AdminSignIn, MailboxTestFailure, TenantDirectory } from './ports.js';

/** What tenant onboarding needs: ports only. */
export interface OnboardingContext {
  clock: Clock;
  /** The signed single-use `state` of the sign-in and of the consent (purpose `onboarding`). */
  states: SignedSingleUseStates;
  sessions: OnboardingSessionSigner;
  tenants: DocumentCollection<OnboardedTenant>;
  signIn: AdminSignIn;
  directory: TenantDirectory;
  enablement: EnablementContext;
  /** The one redirect URL of sign-in and consent: `{PUBLIC_BASE_URL}/api/onboarding/tenant/callback`. */
  callbackUrl: string;
}

/** The form session of an administrator who finished consent. */
export const sessionLifetimeMs = 60 * 60_000;
/** The purpose of onboarding's states: a state of another flow never completes onboarding. */
const statePurpose = 'onboarding';

/**
 * What an onboarding state carries back to the callback. The sign-in's holds the PKCE verifier;
 * the consent's the administrator (its tenant is the state's `tenantId`, which offboarding finds).
 */
const stepSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('sign-in'), codeVerifier: z.string().min(43).max(128) }),
  z.object({ step: z.literal('consent'), adminObjectId: z.string().min(1) }),
]);
type OnboardingStep = z.infer<typeof stepSchema>;

/** tenant, admin, expiry and issue time (ms): the issue time ties a session to one consent. */
const sessionSchema = z.object({
  t: z.string().min(1),
  a: z.string().min(1),
  x: z.number().int(),
  i: z.number().int(),
});

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

export type InvalidStateReason = 'missing' | StateRefusal;

/** What the callback comes to; each kind has its page (`onboardingPages.ts`). */
export type CallbackOutcome =
  | { kind: 'invalid-state'; reason: InvalidStateReason }
  | { kind: 'sign-in-failed'; error: string; description: string }
  | { kind: 'not-an-administrator' }
  | { kind: 'redirect'; location: string }
  | { kind: 'consent-declined'; error: string; description: string }
  | { kind: 'onboarded'; tenant: OnboardedTenant; session: string };

/**
 * Checks a returned `state` and uses it up (`SignedSingleUseStates.consume`): only the first of two
 * racing callbacks goes on, and a forged or expired one writes nothing.
 */
async function consumeState(
  context: OnboardingContext,
  token: string | undefined,
): Promise<
  { ok: true; step: OnboardingStep; tenantId: string | null } | { ok: false; reason: InvalidStateReason }
> {
  if (!token) return { ok: false, reason: 'missing' };
  const consumed = await context.states.consume(statePurpose, token);
  if (!consumed.ok) return { ok: false, reason: consumed.refusal };
  const step = stepSchema.safeParse(consumed.payload);
  if (!step.success) return { ok: false, reason: 'forged' };
  return { ok: true, step: step.data, tenantId: consumed.tenantId };
}

/** `GET /api/onboarding/tenant`: a state with the PKCE verifier, and where to sign in. */
export async function startTenantOnboarding(
  context: OnboardingContext,
  request: { loginHint?: string | undefined },
): Promise<string> {
  const { codeVerifier, codeChallenge } = newPkcePair();
  const state = await context.states.issue(statePurpose, { step: 'sign-in', codeVerifier });
  return context.signIn.authorizationUrl({
    redirectUri: context.callbackUrl,
    state,
    codeChallenge,
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
  const { step, tenantId } = consumed;
  if (step.step === 'sign-in') return afterSignIn(context, step.codeVerifier, query);
  return afterConsent(context, { tenantId, adminObjectId: step.adminObjectId }, query);
}

async function afterSignIn(
  context: OnboardingContext,
  codeVerifier: string,
  query: CallbackQuery,
): Promise<CallbackOutcome> {
  if (query.error)
    return { kind: 'sign-in-failed', error: query.error, description: query.error_description ?? '' };
  if (!query.code)
    return { kind: 'sign-in-failed', error: 'invalid_request', description: 'The answer carried no code.' };
  const signedIn = await context.signIn.redeem({
    code: query.code,
    codeVerifier,
    redirectUri: context.callbackUrl,
  });
  const roles = signedIn.wids ?? (await context.signIn.directoryRoleTemplateIds(signedIn.accessToken));
  if (!mayConsentForTenant(roles)) return { kind: 'not-an-administrator' };
  const consentState = await context.states.issue(
    statePurpose,
    { step: 'consent', adminObjectId: signedIn.userId.toLowerCase() },
    signedIn.tenantId.toLowerCase(),
  );
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
  state: { tenantId: string | null; adminObjectId: string },
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
  return context.sessions.sign({
    t: session.tenantId,
    a: session.adminObjectId,
    x: context.clock.now().getTime() + sessionLifetimeMs,
    i: context.clock.now().getTime(),
  });
}

/**
 * The administrator behind a form post; `forbidden` when the session is forged or over, or when its
 * tenant is no longer onboarded as it was when the session was issued: offboarded (the record is
 * gone) or consented again since. Checked before a form acts, so an offboarded tenant's open page
 * writes nothing.
 */
export async function sessionOf(
  context: Pick<OnboardingContext, 'sessions' | 'clock' | 'tenants'>,
  token: string,
): Promise<OnboardingSession> {
  const session = context.sessions.verify(token, sessionSchema);
  if (!session || session.x <= context.clock.now().getTime())
    throw new AppError('forbidden', 'The onboarding session is invalid or over: start onboarding again.');
  const tenant = await context.tenants.read(session.t, session.t);
  if (!tenant || session.i < Date.parse(tenant.value.consentedAt))
    throw new AppError(
      'forbidden',
      'The tenant is no longer onboarded as it was when this session began: start onboarding again.',
    );
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
