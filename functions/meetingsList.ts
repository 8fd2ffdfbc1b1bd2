import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { clampToWindow, listMeetings, listMeetingsQuerySchema } from '../shared/meetings/meetingsApi.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `GET /api/users/{userId}/meetings?from=&to=`: the user's meetings in the window, decrypted, by start. */
export const meetingsListFunction: HttpFunctionDefinition<MeetingsContext> = {
  kind: 'http',
  name: 'meetingsList',
  route: 'users/{userId}/meetings',
  methods: ['GET'],
  access: { kind: 'self' },
  describe: {
    get: {
      summary:
        'The caller’s meetings between from and to (clamped to 7 days back, 31 ahead), decrypted, by start',
      query: { from: 'ISO 8601 time with offset', to: 'ISO 8601 time with offset' },
      responses: {
        '200': '{"from", "to", "meetings": [...]}',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request, meetings, _context, caller) {
    const query = parseQuery(request, listMeetingsQuerySchema);
    const range = clampToWindow(meetings.clock.now(), query.from, query.to);
    const list = await listMeetings(meetings, ownMailboxOf(caller).userId, range);
    return {
      status: 200,
      jsonBody: { from: range.from.toISOString(), to: range.to.toISOString(), meetings: list },
      headers: { 'cache-control': 'no-store' },
    };
  },
};
