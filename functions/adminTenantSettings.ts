import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';
import { tenantSettingsInputSchema } from '../shared/meetings/tenantSettings.js';
import { readTenantSettings, replaceTenantSettings } from '../shared/meetings/tenantSettingsAdmin.js';

/**
 * `GET`/`PUT /api/admin/tenants/{tenantId}/settings`: keywords, default language, join-block
 * templates, lead time. PUT replaces what was set; unset fields take their defaults.
 */
export const adminTenantSettingsFunction: HttpFunctionDefinition<
  Pick<MeetingsContext, 'tenantSettingsStore' | 'tenantSettings' | 'clock'>
> = {
  kind: 'http',
  name: 'adminTenantSettings',
  route: 'admin/tenants/{tenantId}/settings',
  methods: ['GET', 'PUT'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'The tenant’s keywords, default language, templates, lead time',
      responses: { '200': 'Effective settings' },
    },
    put: {
      summary: 'Replace the tenant’s settings',
      body: tenantSettingsInputSchema,
      responses: { '200': 'Effective settings', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, meetings, _context, caller) {
    const tenantId = adminTenantOf(caller);
    const settings =
      request.method === 'PUT'
        ? await replaceTenantSettings(
            meetings,
            tenantId,
            await readJsonBody(request, tenantSettingsInputSchema),
          )
        : await readTenantSettings(meetings, tenantId);
    return { status: 200, jsonBody: settings };
  },
};
