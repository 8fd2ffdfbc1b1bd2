import { isAppError, isTransient } from '../shared/errors.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { signInRedirect } from '../shared/html/serverPages.js';
import {
  consentDeclinedPage,
  invalidStatePage,
  notAnAdministratorPage,
  onboardedPage,
  type Page,
  pageResponse,
  serviceUnavailablePage,
  signInFailedPage,
} from '../shared/onboarding/onboardingPages.js';
import {
  type CallbackOutcome,
  callbackQuerySchema,
  completeOnboardingStep,
  type OnboardingContext,
} from '../shared/onboarding/tenantOnboarding.js';

function pageFor(outcome: Exclude<CallbackOutcome, { kind: 'redirect' }>): Page {
  switch (outcome.kind) {
    case 'invalid-state':
      return invalidStatePage(outcome.reason);
    case 'sign-in-failed':
      return signInFailedPage(outcome.error, outcome.description);
    case 'not-an-administrator':
      return notAnAdministratorPage();
    case 'consent-declined':
      return consentDeclinedPage(outcome.error, outcome.description);
    case 'onboarded':
      return onboardedPage(outcome.tenant, outcome.session);
  }
}

/**
 * `GET /api/onboarding/tenant/callback`: the one redirect URL of the sign-in and of the admin
 * consent; the signed, single-use state says which step answered.
 */
export const onboardingTenantCallbackFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'onboardingTenantCallback',
  route: 'onboarding/tenant/callback',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary: 'Redirect URL of tenant onboarding (sign-in and admin consent)',
      query: {
        state: 'The signed, single-use state',
        code: 'Authorization code (sign-in)',
        admin_consent: 'True (consent)',
        tenant: 'The consenting tenant',
        error: 'Set when the step failed',
      },
      responses: {
        '200': 'Tenant onboarded: a page with the test-mailbox and enablement forms',
        '302': 'To the admin consent',
        '400': 'A forged, replayed or expired state, or a failed step (a page saying why)',
        '403': 'Not a Global Administrator or Privileged Role Administrator',
        '503': 'Microsoft Graph did not answer in time (a page saying so)',
      },
    },
  },
  async handle(request, onboarding) {
    const query = parseQuery(request, callbackQuerySchema);
    let outcome: CallbackOutcome;
    try {
      outcome = await completeOnboardingStep(onboarding, query);
    } catch (error) {
      // Graph or the store did not answer (a timeout of /me/memberOf, say): a page, not a bare 503.
      if (isAppError(error) && isTransient(error)) {
        return pageResponse(serviceUnavailablePage(error.message));
      }
      // A code the identity platform refused (expired, redeemed twice) is a failed sign-in, not a crash.
      if (!isAppError(error)) throw error;
      outcome = { kind: 'sign-in-failed', error: error.code, description: error.message };
    }
    if (outcome.kind === 'redirect') return signInRedirect(outcome.location);
    return pageResponse(pageFor(outcome));
  },
};
