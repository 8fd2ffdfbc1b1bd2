import { adminTenantOf } from '../shared/auth/routeAccess.js';
import {
  type DeadLetterRecords,
  deadLetterQuerySchema,
  listDeadLetters,
} from '../shared/bus/deadLetterRecords.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';

/** `GET /api/admin/tenants/{tenantId}/dead-letters?reason=`: why the tenant's messages were dead-lettered. */
export const adminDeadLettersFunction: HttpFunctionDefinition<DeadLetterRecords> = {
  kind: 'http',
  name: 'adminDeadLetters',
  route: 'admin/tenants/{tenantId}/dead-letters',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary:
        'Dead-lettered messages of the tenant (last 14 days): counts by reason and the records, without bodies',
      query: { reason: 'Only this reason, e.g. input-invalid' },
      responses: {
        '200':
          '{"counts": {"<reason>": n}, "records": [{queue, messageId, tenantId, reason, description, deadLetteredAt}]}',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, deadLetters, _context, caller) {
    const { reason } = parseQuery(request, deadLetterQuerySchema);
    const listing = await listDeadLetters(deadLetters, {
      tenantId: adminTenantOf(caller),
      ...(reason === undefined ? {} : { reason }),
    });
    return { status: 200, jsonBody: listing };
  },
};
