import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { type EnablementContext, readEnablementJob } from '../shared/onboarding/enablementJobs.js';

/** `GET /api/admin/tenants/{tenantId}/enablement/{jobId}`: an enablement job's progress, while it runs too. */
export const adminEnablementJobFunction: HttpFunctionDefinition<EnablementContext> = {
  kind: 'http',
  name: 'adminEnablementJob',
  route: 'admin/tenants/{tenantId}/enablement/{jobId}',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'Progress of an enablement job',
      responses: {
        '200': '{"jobId","state":"running"|"completed"|"failed","found","queued","notFound","reason"?}',
        '404': 'No such job in this tenant',
      },
    },
  },
  async handle(request, enablement, _context, caller) {
    const { jobId, state, found, queued, notFound, reason } = await readEnablementJob(
      enablement,
      adminTenantOf(caller),
      request.params.jobId ?? '',
    );
    return {
      status: 200,
      jsonBody: { jobId, state, found, queued, notFound, ...(reason ? { reason } : {}) },
      headers: { 'cache-control': 'no-store' },
    };
  },
};
