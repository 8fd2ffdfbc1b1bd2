import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import {
  type EnablementContext,
  enableRequestSchema,
  requestEnablement,
  selectionOf,
} from '../shared/onboarding/enablementJobs.js';
import { enableUsers } from '../shared/watch/enablement.js';

/**
 * `POST /api/admin/tenants/{tenantId}/users/enable`: `{"userIds": [...]}` watches these users at
 * once (up to 1,000); `{"userPrincipalNames": [...]}`, `{"groupId"}` or `{"allUsersWithMailbox": true}`
 * start a job whose progress `GET …/enablement/{jobId}` shows.
 */
export const adminEnableUsersFunction: HttpFunctionDefinition<EnablementContext> = {
  kind: 'http',
  name: 'adminEnableUsers',
  route: 'admin/tenants/{tenantId}/users/enable',
  methods: ['POST'],
  access: { kind: 'tenant-admin' },
  describe: {
    post: {
      summary: 'Watch users: by object id at once, or by UPN, group or every mailbox as a job',
      body: enableRequestSchema,
      responses: {
        '202': '{"queued": n} for userIds; {"jobId"} for a job',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, enablement, _context, caller) {
    const tenantId = adminTenantOf(caller);
    const body = await readJsonBody(request, enableRequestSchema);
    const selection = selectionOf(body);
    if (!selection && 'userIds' in body)
      return { status: 202, jsonBody: await enableUsers(enablement.watch, tenantId, body.userIds) };
    if (!selection) throw new Error('unreachable: the schema admits no other body');
    return { status: 202, jsonBody: await requestEnablement(enablement, tenantId, selection) };
  },
};
