import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { listUsers, listUsersQuerySchema } from '../shared/watch/enablement.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `GET /api/admin/tenants/{tenantId}/users?state=error`: users by state, with reasons and next retry. */
export const adminListUsersFunction: HttpFunctionDefinition<WatchContext> = {
  kind: 'http',
  name: 'adminListUsers',
  route: 'admin/tenants/{tenantId}/users',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'Users by state, with reasons and next retry',
      query: { state: 'not-activated | activated | error' },
      responses: { '200': '{"users": [...]}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, watch, _context, caller) {
    const { state } = parseQuery(request, listUsersQuerySchema);
    return { status: 200, jsonBody: { users: await listUsers(watch, adminTenantOf(caller), state) } };
  },
};
