import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { UserListContext } from '../shared/connect/reconnectLinks.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { listUsers, listUsersQuerySchema } from '../shared/watch/enablement.js';

/** `GET /api/admin/tenants/{tenantId}/users?state=error`: users by state, with reasons and next retry. */
export const adminListUsersFunction: HttpFunctionDefinition<UserListContext> = {
  kind: 'http',
  name: 'adminListUsers',
  route: 'admin/tenants/{tenantId}/users',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary:
        'Users by state, with reasons and next retry; connected users in Error with their reconnectUrl',
      query: { state: 'not-activated | activated | error' },
      responses: { '200': '{"users": [...]}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, list, _context, caller) {
    const { state } = parseQuery(request, listUsersQuerySchema);
    const users = await listUsers(list.watch, adminTenantOf(caller), state, list.reconnectUrlOf);
    return { status: 200, jsonBody: { users } };
  },
};
