import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import type { Counters } from '../shared/observability/counters.js';

/** `GET /api/admin/tenants/{tenantId}/metrics`: this instance's counters (dropped notifications, renewals, ...). */
export const adminMetricsFunction: HttpFunctionDefinition<Counters> = {
  kind: 'http',
  name: 'adminMetrics',
  route: 'admin/tenants/{tenantId}/metrics',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: { get: { summary: 'Counters of this instance', responses: { '200': '{"counters": {...}}' } } },
  async handle(_request, counters) {
    return { status: 200, jsonBody: { counters: counters.snapshot() } };
  },
};
