import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { type OnboardingContext, onboardingOf } from '../shared/onboarding/tenantOnboarding.js';

/** `GET /api/admin/tenants/{tenantId}/onboarding`: when and by whom the tenant consented, its domains. */
export const adminTenantOnboardingFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'adminTenantOnboarding',
  route: 'admin/tenants/{tenantId}/onboarding',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'The tenant’s onboarding record',
      responses: { '200': '{"tenantId","consentedAt","adminObjectId","domains"}', '404': 'Not onboarded' },
    },
  },
  async handle(_request, onboarding, _context, caller) {
    const tenant = await onboardingOf(onboarding, adminTenantOf(caller));
    return {
      status: 200,
      jsonBody: {
        tenantId: tenant.id,
        consentedAt: tenant.consentedAt,
        adminObjectId: tenant.adminObjectId,
        domains: tenant.domains,
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
};
