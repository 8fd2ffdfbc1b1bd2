import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { disableUsers, userIdsSchema } from '../shared/watch/enablement.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `POST /api/admin/tenants/{tenantId}/users/disable` `{"userIds": [...]}`: stop watching these users. */
export const adminDisableUsersFunction: HttpFunctionDefinition<WatchContext> = {
  kind: 'http',
  name: 'adminDisableUsers',
  route: 'admin/tenants/{tenantId}/users/disable',
  methods: ['POST'],
  access: { kind: 'tenant-admin' },
  describe: {
    post: {
      summary: 'Stop watching these users',
      body: userIdsSchema,
      responses: { '202': '{"queued": n}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, watch, _context, caller) {
    const { userIds } = await readJsonBody(request, userIdsSchema);
    return { status: 202, jsonBody: await disableUsers(watch, adminTenantOf(caller), userIds) };
  },
};
