import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { UserListContext } from '../shared/connect/reconnectLinks.js';
import { withNames } from '../shared/directory/namedUsers.js';
import type { UserNames } from '../shared/directory/userNames.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { listUsers, listUsersQuerySchema } from '../shared/watch/enablement.js';

/**
 * `GET /api/admin/tenants/{tenantId}/users?state=error`: users by state, with reasons and next
 * retry, connected users in Error with their reconnect link, and each user's display name and mail
 * read from the directory now (never stored).
 */
export const adminListUsersFunction: HttpFunctionDefinition<UserListContext & { userNames: UserNames }> = {
  kind: 'http',
  name: 'adminListUsers',
  route: 'admin/tenants/{tenantId}/users',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary:
        'Users by state, with reasons and next retry, names and mail from the directory; connected users in Error with their reconnectUrl',
      query: { state: 'not-activated | activated | error' },
      responses: {
        '200': '{"users": [...], "namesUnavailable": null | "<code>"}',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, list, _context, caller) {
    const { state } = parseQuery(request, listUsersQuerySchema);
    const tenantId = adminTenantOf(caller);
    const users = await listUsers(list.watch, tenantId, state, list.reconnectUrlOf);
    return { status: 200, jsonBody: await withNames(list.userNames, tenantId, users) };
  },
};
