import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { type OffboardingContext, offboardTenant } from '../shared/onboarding/offboarding.js';

/**
 * `DELETE /api/admin/tenants/{tenantId}`: offboards the tenant. Its Graph subscriptions, records,
 * traces, settings and data keys are deleted; the answer counts what was removed per kind.
 */
export const adminOffboardTenantFunction: HttpFunctionDefinition<OffboardingContext> = {
  kind: 'http',
  name: 'adminOffboardTenant',
  route: 'admin/tenants/{tenantId}',
  methods: ['DELETE'],
  access: { kind: 'tenant-admin' },
  describe: {
    delete: {
      summary: 'Offboard the tenant: delete everything the service holds of it, data keys included',
      responses: { '200': '{"tenantId","removed":{kind: count}}' },
    },
  },
  async handle(_request, offboarding, _context, caller) {
    return {
      status: 200,
      jsonBody: await offboardTenant(offboarding, adminTenantOf(caller)),
      headers: { 'cache-control': 'no-store' },
    };
  },
};
