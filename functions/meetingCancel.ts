import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { cancelMeeting } from '../shared/meetings/meetingsApi.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `DELETE /api/users/{userId}/meetings/{meetingId}`: cancel a meeting the user organises. */
export const meetingCancelFunction: HttpFunctionDefinition<MeetingsContext> = {
  kind: 'http',
  name: 'meetingCancel',
  route: 'users/{userId}/meetings/{meetingId}',
  methods: ['DELETE'],
  access: { kind: 'self' },
  describe: {
    delete: {
      summary: 'Cancel a meeting the caller organises',
      responses: {
        '204': 'Cancelled',
        '404': 'No such meeting',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, meetings, _context, caller) {
    await cancelMeeting(meetings, ownMailboxOf(caller), request.params.meetingId ?? '');
    return { status: 204 };
  },
};
