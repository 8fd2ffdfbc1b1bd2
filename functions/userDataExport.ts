import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import { exportUserData, type UserDataContext } from '../shared/connect/userDataRights.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `GET /api/users/{userId}/export`: the caller's own meetings list, decrypted, as a JSON download. */
export const userDataExportFunction: HttpFunctionDefinition<UserDataContext> = {
  kind: 'http',
  name: 'userDataExport',
  route: 'users/{userId}/export',
  methods: ['GET'],
  // Export and purge stay the user's when disabled or half-purged (no enabled watch document).
  access: { kind: 'self', evenIfNotWatched: true },
  describe: {
    get: {
      summary: 'Everything the service keeps of the caller’s meetings, decrypted, as JSON',
      responses: { '200': '{"userId", "exportedAt", "meetings": [...]}' },
    },
  },
  async handle(_request, userData, _context, caller) {
    const exported = await exportUserData(userData, ownMailboxOf(caller));
    return {
      status: 200,
      jsonBody: exported,
      headers: {
        'cache-control': 'no-store',
        'content-disposition': 'attachment; filename="meetings-export.json"',
      },
    };
  },
};
