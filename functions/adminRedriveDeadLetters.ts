import { adminTenantOf } from '../shared/auth/routeAccess.js';
import {
  type DeadLetterRedriveContext,
  redriveDeadLetters,
  redriveRequestSchema,
} from '../shared/bus/deadLetterRedrive.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';

/** `POST /api/admin/tenants/{tenantId}/dead-letters/redrive`: sends the tenant's dead letters back to their queues. */
export const adminRedriveDeadLettersFunction: HttpFunctionDefinition<DeadLetterRedriveContext> = {
  kind: 'http',
  name: 'adminRedriveDeadLetters',
  route: 'admin/tenants/{tenantId}/dead-letters/redrive',
  methods: ['POST'],
  access: { kind: 'tenant-admin' },
  describe: {
    post: {
      summary:
        "Re-drives the tenant's dead letters to their queues with a fresh retry count: one message, one reason, or all",
      body: redriveRequestSchema,
      responses: {
        '202':
          '{"redriven": n, "notFound": m}: notFound counts records whose message had left its dead-letter queue',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, context, _invocation, caller) {
    const selection = await readJsonBody(request, redriveRequestSchema, 4 * 1024);
    const result = await redriveDeadLetters(context, adminTenantOf(caller), selection);
    return { status: 202, jsonBody: result };
  },
};
