import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { keyOf } from '../shared/meetings/meetingRecord.js';
import { scheduleBodySchema, scheduleMeeting } from '../shared/meetings/meetingsApi.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `POST /api/users/{userId}/meetings`: schedule a meeting with a keyword; it decorates itself. */
export const meetingScheduleFunction: HttpFunctionDefinition<MeetingsContext> = {
  kind: 'http',
  name: 'meetingSchedule',
  route: 'users/{userId}/meetings',
  methods: ['POST'],
  access: { kind: 'self' },
  describe: {
    post: {
      summary: 'Schedule a meeting with a keyword; it decorates itself',
      body: scheduleBodySchema,
      responses: { '201': '{"id": meeting id}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, meetings, _context, caller) {
    const body = await readJsonBody(request, scheduleBodySchema, 1024 * 1024);
    const { eventId } = await scheduleMeeting(meetings, ownMailboxOf(caller), body);
    return { status: 201, jsonBody: { id: keyOf(eventId) } };
  },
};
