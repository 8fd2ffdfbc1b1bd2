import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { signInRedirect } from '../shared/html/serverPages.js';
import {
  type OnboardingContext,
  startQuerySchema,
  startTenantOnboarding,
} from '../shared/onboarding/tenantOnboarding.js';

/** `GET /api/onboarding/tenant`: the administrator's sign-in (authorization code + PKCE) starts here. */
export const onboardingTenantStartFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'onboardingTenantStart',
  route: 'onboarding/tenant',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary: 'Start tenant onboarding: a Global Administrator signs in',
      query: { login_hint: 'The administrator’s sign-in name (optional)' },
      responses: { '302': 'To the Microsoft sign-in' },
    },
  },
  async handle(request, onboarding) {
    const query = parseQuery(request, startQuerySchema);
    const location = await startTenantOnboarding(onboarding, { loginHint: query.login_hint });
    return signInRedirect(location);
  },
};
