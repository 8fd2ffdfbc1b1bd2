import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import {
  type CloudEventEndpoints,
  cloudEventEndpointsInputSchema,
} from '../shared/notifications/cloudEventEndpoints.js';

/**
 * `GET`/`PUT /api/admin/tenants/{tenantId}/settings/cloudevents`: the tenant's CloudEvents endpoints.
 * PUT replaces them (a known URL without a secret keeps its secret); secrets are never returned.
 */
export const adminCloudEventEndpointsFunction: HttpFunctionDefinition<CloudEventEndpoints> = {
  kind: 'http',
  name: 'adminCloudEventEndpoints',
  route: 'admin/tenants/{tenantId}/settings/cloudevents',
  methods: ['GET', 'PUT'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: { summary: 'The tenant’s CloudEvents endpoints (URLs only)', responses: { '200': 'Endpoints' } },
    put: {
      summary: 'Replace the tenant’s CloudEvents endpoints',
      body: cloudEventEndpointsInputSchema,
      responses: { '200': 'Endpoints (URLs only)', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, endpoints, _context, caller) {
    const tenantId = adminTenantOf(caller);
    const view =
      request.method === 'PUT'
        ? await endpoints.replace(tenantId, await readJsonBody(request, cloudEventEndpointsInputSchema))
        : await endpoints.view(tenantId);
    return { status: 200, jsonBody: view };
  },
};
