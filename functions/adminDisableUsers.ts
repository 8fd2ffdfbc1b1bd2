import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { disableUsers, userIdsSchema } from '../shared/watch/enablement.js';

/** `POST /api/admin/tenants/{tenantId}/users/disable` `{"userIds": [...]}`: stop watching these users. */
export const adminDisableUsersFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminDisableUsers',
  route: 'admin/tenants/{tenantId}/users/disable',
  methods: ['POST'],
  async handle(request, services) {
    const tenantId = request.params.tenantId ?? '';
    await requireTenantAdmin(services.auth, request, tenantId);
    const { userIds } = await readJsonBody(request, userIdsSchema);
    return { status: 202, jsonBody: await disableUsers(services.watch, tenantId, userIds) };
  },
};
