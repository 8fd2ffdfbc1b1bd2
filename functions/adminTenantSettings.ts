import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { effectiveSettings, tenantSettingsInputSchema } from '../shared/meetings/tenantSettings.js';

/**
 * `GET`/`PUT /api/admin/tenants/{tenantId}/settings`: keywords, default language, join-block
 * templates, lead time. PUT replaces what was set; unset fields take their defaults.
 */
export const adminTenantSettingsFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminTenantSettings',
  route: 'admin/tenants/{tenantId}/settings',
  methods: ['GET', 'PUT'],
  async handle(request, services) {
    const tenantId = (request.params.tenantId ?? '').toLowerCase();
    await requireTenantAdmin(services.auth, request, tenantId);
    if (request.method === 'PUT') {
      const settings = await readJsonBody(request, tenantSettingsInputSchema);
      await services.tenants.upsert({
        id: tenantId,
        settings,
        updatedAt: services.clock.now().toISOString(),
      });
      services.tenantSettings.forget(tenantId);
    }
    return {
      status: 200,
      jsonBody: effectiveSettings((await services.tenants.read(tenantId, tenantId))?.value.settings),
    };
  },
};
