import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { enableUsers, userIdsSchema } from '../shared/watch/enablement.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `POST /api/admin/tenants/{tenantId}/users/enable` `{"userIds": [...]}`: watch these users (up to 1,000). */
export const adminEnableUsersFunction: HttpFunctionDefinition<WatchContext> = {
  kind: 'http',
  name: 'adminEnableUsers',
  route: 'admin/tenants/{tenantId}/users/enable',
  methods: ['POST'],
  access: { kind: 'tenant-admin' },
  describe: {
    post: {
      summary: 'Watch these users',
      body: userIdsSchema,
      responses: { '202': '{"queued": n}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, watch, _context, caller) {
    const { userIds } = await readJsonBody(request, userIdsSchema);
    return { status: 202, jsonBody: await enableUsers(watch, adminTenantOf(caller), userIds) };
  },
};
