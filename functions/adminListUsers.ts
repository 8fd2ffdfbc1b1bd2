import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import { AppError } from '../shared/errors.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { listUsers, listUsersQuerySchema } from '../shared/watch/enablement.js';

/** `GET /api/admin/tenants/{tenantId}/users?state=error`: users by state, with reasons and next retry. */
export const adminListUsersFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminListUsers',
  route: 'admin/tenants/{tenantId}/users',
  methods: ['GET'],
  async handle(request, services) {
    const tenantId = request.params.tenantId ?? '';
    await requireTenantAdmin(services.auth, request, tenantId);
    const query = listUsersQuerySchema.safeParse(Object.fromEntries(request.query));
    if (!query.success)
      throw new AppError('input-invalid', 'state must be not-activated, activated or error');
    return { status: 200, jsonBody: { users: await listUsers(services.watch, tenantId, query.data.state) } };
  },
};
