import { adminTenantOf } from '../shared/auth/routeAccess.js';
import { withNames } from '../shared/directory/namedUsers.js';
import type { UserNames } from '../shared/directory/userNames.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { listUsers, listUsersQuerySchema } from '../shared/watch/enablement.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/**
 * `GET /api/admin/tenants/{tenantId}/users?state=error`: users by state, with reasons and next
 * retry, and each user's display name and mail read from the directory now (never stored).
 */
export const adminListUsersFunction: HttpFunctionDefinition<{ watch: WatchContext; userNames: UserNames }> = {
  kind: 'http',
  name: 'adminListUsers',
  route: 'admin/tenants/{tenantId}/users',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'Users by state, with reasons and next retry, names and mail from the directory',
      query: { state: 'not-activated | activated | error' },
      responses: {
        '200': '{"users": [...], "namesUnavailable": null | "<code>"}',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, { watch, userNames }, _context, caller) {
    const { state } = parseQuery(request, listUsersQuerySchema);
    const tenantId = adminTenantOf(caller);
    const named = await withNames(userNames, tenantId, await listUsers(watch, tenantId, state));
    return { status: 200, jsonBody: named };
  },
};
