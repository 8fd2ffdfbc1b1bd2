import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { freeBusy, freeBusyBodySchema } from '../shared/meetings/meetingsApi.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';

/** `POST /api/users/{userId}/free-busy` `{"schedules": [...], "from", "to"}`: availability of people and rooms. */
export const freeBusyFunction: HttpFunctionDefinition<MeetingsContext> = {
  kind: 'http',
  name: 'freeBusy',
  route: 'users/{userId}/free-busy',
  methods: ['POST'],
  access: { kind: 'self' },
  describe: {
    post: {
      summary: 'Availability of people and rooms',
      body: freeBusyBodySchema,
      responses: { '200': '{"schedules": [...]}', '400': 'Invalid input (JSON error body with the reason)' },
    },
  },
  async handle(request, meetings, _context, caller) {
    const body = await readJsonBody(request, freeBusyBodySchema);
    return { status: 200, jsonBody: { schedules: await freeBusy(meetings, ownMailboxOf(caller), body) } };
  },
};
