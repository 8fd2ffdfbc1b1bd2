import type { HttpRequest } from '@azure/functions';
import type { BearerAuthenticator } from '../adapters/entra/bearerAuth.js';
import type { MailboxRef } from '../calendar/calendarGateway.js';
import { AppError } from '../errors.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { WatchedUser } from '../watch/watchedUser.js';

/**
 * The caller acting on their own calendar: a user token whose `oid` is the path's user. Anyone else,
 * administrators included, gets 403: an admin sees status, never another user's meetings. The user
 * must be watched by the service (404 otherwise).
 */
export async function requireSelf(
  auth: BearerAuthenticator,
  users: DocumentCollection<WatchedUser>,
  request: HttpRequest,
  userId: string,
): Promise<MailboxRef> {
  const principal = await auth.authenticate(request.headers.get('authorization'));
  if (principal.isApp || principal.objectId !== userId.toLowerCase()) {
    throw new AppError('forbidden', 'A user can reach only their own meetings.');
  }
  const watched = await users.read(principal.objectId, principal.tenantId);
  if (!watched?.value.enabled) throw new AppError('not-found', 'This user’s calendar is not connected.');
  return { tenantId: principal.tenantId, userId: principal.objectId };
}
