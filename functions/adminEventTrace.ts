import { requireTenantAdmin } from '../shared/auth/adminAccess.js';
import type { Services } from '../shared/composition.js';
import { AppError } from '../shared/errors.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { traceQuerySchema } from '../shared/meetings/eventTrace.js';
import { keyOf } from '../shared/meetings/meetingRecord.js';

/** `GET /api/admin/tenants/{tenantId}/users/{userId}/trace?eventId=…`: why an event was (not) decorated. */
export const adminEventTraceFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'adminEventTrace',
  route: 'admin/tenants/{tenantId}/users/{userId}/trace',
  methods: ['GET'],
  async handle(request, services) {
    const tenantId = (request.params.tenantId ?? '').toLowerCase();
    await requireTenantAdmin(services.auth, request, tenantId);
    const query = traceQuerySchema.safeParse(Object.fromEntries(request.query));
    if (!query.success) throw new AppError('input-invalid', 'eventId is required');
    const userId = (request.params.userId ?? '').toLowerCase();
    const trace = await services.meetings.traces.read(keyOf(query.data.eventId), userId);
    if (!trace || trace.value.tenantId !== tenantId)
      throw new AppError('not-found', 'No trace for that event.');
    return { status: 200, jsonBody: { entries: trace.value.entries } };
  },
};
