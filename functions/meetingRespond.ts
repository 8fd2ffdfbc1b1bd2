import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { respondBodySchema, respondToMeeting } from '../shared/meetings/meetingsApi.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `POST /api/users/{userId}/meetings/{meetingId}/response` `{"response": "accept"|"decline"|"tentativelyAccept"}`. */
export const meetingRespondFunction: HttpFunctionDefinition<MeetingsContext> = {
  kind: 'http',
  name: 'meetingRespond',
  route: 'users/{userId}/meetings/{meetingId}/response',
  methods: ['POST'],
  access: { kind: 'self' },
  describe: {
    post: {
      summary: 'Accept, decline or tentatively accept',
      body: respondBodySchema,
      responses: {
        '202': 'Sent',
        '404': 'No such meeting',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, meetings, _context, caller) {
    const body = await readJsonBody(request, respondBodySchema);
    await respondToMeeting(meetings, ownMailboxOf(caller), request.params.meetingId ?? '', body);
    return { status: 202 };
  },
};
