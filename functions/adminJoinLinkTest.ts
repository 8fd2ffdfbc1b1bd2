import { adminTenantOf } from '../shared/auth/routeAccess.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { joinLinkTestInputSchema, testJoinLink } from '../shared/meetings/joinLinkTest.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';
import { readTenantSettings } from '../shared/meetings/tenantSettingsAdmin.js';

/**
 * `POST /api/admin/tenants/{tenantId}/join-link-test`: what the service would detect in a pasted
 * invitation (keyword, video addresses, the Join link), with the tenant's keywords.
 */
export const adminJoinLinkTestFunction: HttpFunctionDefinition<Pick<MeetingsContext, 'tenantSettingsStore'>> =
  {
    kind: 'http',
    name: 'adminJoinLinkTest',
    route: 'admin/tenants/{tenantId}/join-link-test',
    methods: ['POST'],
    access: { kind: 'tenant-admin' },
    describe: {
      post: {
        summary: 'What the service detects in a pasted invitation: keyword, addresses, Join link',
        body: joinLinkTestInputSchema,
        responses: {
          '200': '{"keyword", "addresses": [{kind, address}], "join": {link, sipAddress}}',
          '400': 'Invalid input (JSON error body with the reason)',
        },
      },
    },
    async handle(request, meetings, _context, caller) {
      const input = await readJsonBody(request, joinLinkTestInputSchema, 1_100_000);
      const { keywords } = await readTenantSettings(meetings, adminTenantOf(caller));
      return { status: 200, jsonBody: testJoinLink(input, keywords) };
    },
  };
