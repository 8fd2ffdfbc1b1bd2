import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `GET /api/admin/tenants/{tenantId}/metrics`: this instance's counters (dropped notifications, renewals, ...). */
export const adminMetricsFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminMetrics',
  route: 'admin/tenants/{tenantId}/metrics',
  methods: ['GET'],
  async handle(request, services) {
    await requireTenantAdmin(services.auth, request, request.params.tenantId ?? '');
    return { status: 200, jsonBody: { counters: services.counters.snapshot() } };
  },
};
