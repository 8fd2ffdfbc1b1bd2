import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { enableUsers, userIdsSchema } from '../shared/watch/enablement.js';

/** `POST /api/admin/tenants/{tenantId}/users/enable` `{"userIds": [...]}`: watch these users (up to 1,000). */
export const adminEnableUsersFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminEnableUsers',
  route: 'admin/tenants/{tenantId}/users/enable',
  methods: ['POST'],
  async handle(request, services) {
    const tenantId = request.params.tenantId ?? '';
    await requireTenantAdmin(services.auth, request, tenantId);
    const { userIds } = await readJsonBody(request, userIdsSchema);
    return { status: 202, jsonBody: await enableUsers(services.watch, tenantId, userIds) };
  },
};
