import { ownMailboxOf } from '../shared/auth/routeAccess.js';
import { purgeUserData, type UserDataContext } from '../shared/connect/userDataRights.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `DELETE /api/users/{userId}/data`: removes everything the service holds of the caller, and says what. */
export const userDataPurgeFunction: HttpFunctionDefinition<UserDataContext> = {
  kind: 'http',
  name: 'userDataPurge',
  route: 'users/{userId}/data',
  methods: ['DELETE'],
  // Export and purge stay the user's when disabled or half-purged (no enabled watch document).
  access: { kind: 'self', evenIfNotWatched: true },
  describe: {
    delete: {
      summary:
        'Purges the caller’s data: meeting records, traces, watch document and Graph subscription, token cache, data keys, presence and its scheduled transitions',
      responses: {
        '200':
          '{"removed": {"meetingRecords", "traces", "watchedUser", "subscription", "tokenCache", "dataKeys", "presence", "presenceTransitions"}}',
      },
    },
  },
  async handle(_request, userData, _context, caller) {
    const removed = await purgeUserData(userData, ownMailboxOf(caller));
    return { status: 200, jsonBody: { removed }, headers: { 'cache-control': 'no-store' } };
  },
};
