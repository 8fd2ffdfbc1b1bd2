import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { traceQuerySchema } from '../shared/meetings/eventTrace.js';
import { readEventTrace } from '../shared/meetings/eventTraceAdmin.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `GET /api/admin/tenants/{tenantId}/users/{userId}/trace?eventId=…`: why an event was (not) decorated. */
export const adminEventTraceFunction: HttpFunctionDefinition<Pick<MeetingsContext, 'traces'>> = {
  kind: 'http',
  name: 'adminEventTrace',
  route: 'admin/tenants/{tenantId}/users/{userId}/trace',
  methods: ['GET'],
  access: { kind: 'tenant-admin' },
  describe: {
    get: {
      summary: 'Why an event was (not) decorated',
      query: { eventId: 'The Graph event id' },
      responses: {
        '200': '{"entries": [...]}',
        '404': 'No trace',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, meetings, _context, caller) {
    const { eventId } = parseQuery(request, traceQuerySchema);
    const entries = await readEventTrace(meetings, {
      tenantId: adminTenantOf(caller),
      userId: (request.params.userId ?? '').toLowerCase(),
      eventId,
    });
    return { status: 200, jsonBody: { entries } };
  },
};
