import { requireSelf } from '../shared/auth/selfAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { respondBodySchema, respondToMeeting } from '../shared/meetings/meetingsApi.js';

/** `POST /api/users/{userId}/meetings/{meetingId}/response` `{"response": "accept"|"decline"|"tentativelyAccept"}`. */
export const meetingRespondFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'meetingRespond',
  route: 'users/{userId}/meetings/{meetingId}/response',
  methods: ['POST'],
  async handle(request, services) {
    const mailbox = await requireSelf(
      services.auth,
      services.watch.users,
      request,
      request.params.userId ?? '',
    );
    const body = await readJsonBody(request, respondBodySchema);
    await respondToMeeting(services.meetings, mailbox, request.params.meetingId ?? '', body);
    return { status: 202 };
  },
};
