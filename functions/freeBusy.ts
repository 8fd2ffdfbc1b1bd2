import { requireSelf } from '../shared/auth/selfAccess.js';
import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { freeBusy, freeBusyBodySchema } from '../shared/meetings/meetingsApi.js';

/** `POST /api/users/{userId}/free-busy` `{"schedules": [...], "from", "to"}`: availability of people and rooms. */
export const freeBusyFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'freeBusy',
  route: 'users/{userId}/free-busy',
  methods: ['POST'],
  async handle(request, services) {
    const mailbox = await requireSelf(
      services.auth,
      services.watch.users,
      request,
      request.params.userId ?? '',
    );
    const body = await readJsonBody(request, freeBusyBodySchema);
    return { status: 200, jsonBody: { schedules: await freeBusy(services.meetings, mailbox, body) } };
  },
};
