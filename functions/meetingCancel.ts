import { requireSelf } from '../shared/auth/selfAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { cancelMeeting } from '../shared/meetings/meetingsApi.js';

/** `DELETE /api/users/{userId}/meetings/{meetingId}`: cancel a meeting the user organises. */
export const meetingCancelFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'meetingCancel',
  route: 'users/{userId}/meetings/{meetingId}',
  methods: ['DELETE'],
  async handle(request, services) {
    const mailbox = await requireSelf(
      services.auth,
      services.watch.users,
      request,
      request.params.userId ?? '',
    );
    await cancelMeeting(services.meetings, mailbox, request.params.meetingId ?? '');
    return { status: 204 };
  },
};
