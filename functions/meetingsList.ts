import { requireSelf } from '../shared/auth/selfAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseQuery } from '../shared/hosting/httpRequests.js';
import { clampToWindow, listMeetings, listMeetingsQuerySchema } from '../shared/meetings/meetingsApi.js';

/** `GET /api/users/{userId}/meetings?from=&to=`: the user's meetings in the window, decrypted, by start. */
export const meetingsListFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'meetingsList',
  route: 'users/{userId}/meetings',
  methods: ['GET'],
  async handle(request, services) {
    const mailbox = await requireSelf(
      services.auth,
      services.watch.users,
      request,
      request.params.userId ?? '',
    );
    const query = parseQuery(request, listMeetingsQuerySchema);
    const range = clampToWindow(services.clock.now(), query.from, query.to);
    const meetings = await listMeetings(services.meetings, mailbox.userId, range);
    return {
      status: 200,
      jsonBody: { from: range.from.toISOString(), to: range.to.toISOString(), meetings },
      headers: { 'cache-control': 'no-store' },
    };
  },
};
