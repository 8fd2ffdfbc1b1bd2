import { requireSelf } from '../shared/auth/selfAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { keyOf } from '../shared/meetings/meetingRecord.js';
import { scheduleBodySchema, scheduleMeeting } from '../shared/meetings/meetingsApi.js';

/** `POST /api/users/{userId}/meetings`: schedule a meeting with a keyword; it decorates itself. */
export const meetingScheduleFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'meetingSchedule',
  route: 'users/{userId}/meetings',
  methods: ['POST'],
  async handle(request, services) {
    const mailbox = await requireSelf(
      services.auth,
      services.watch.users,
      request,
      request.params.userId ?? '',
    );
    const body = await readJsonBody(request, scheduleBodySchema, 1024 * 1024);
    const { eventId } = await scheduleMeeting(services.meetings, mailbox, body);
    return { status: 201, jsonBody: { id: keyOf(eventId) } };
  },
};
