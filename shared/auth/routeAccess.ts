import type { MailboxRef } from '../calendar/mailbox.js';
import { AppError } from '../errors.js';
import type { WatchedUsers } from '../watch/watchedUsers.js';
import type { ApiAuthenticator, Principal } from './apiAuthenticator.js';

/**
 * Who may call a route, declared once with the route. The hosting layer enforces it before the
 * handler runs, and the OpenAPI document is generated from the same declaration.
 * - `anonymous`: anyone (health, the OpenAPI document).
 * - `graph-webhook`: Microsoft Graph; every notification proves itself by its clientState.
 * - `tenant-admin`: a token of the path's `{tenantId}` with the admin app role.
 * - `self`: a user token whose `oid` is the path's `{userId}`, of a user the service watches.
 *   `evenIfNotWatched` lets the user in also when their watch document is missing or disabled: the
 *   data rights (export, purge) stay the user's after an admin disabled them or a purge stopped
 *   half-way (it deletes the watch document last).
 */
export type RouteAccess =
  | { kind: 'anonymous' }
  | { kind: 'graph-webhook' }
  | { kind: 'tenant-admin' }
  | { kind: 'self'; evenIfNotWatched?: true };

/** The caller as the hosting layer established it, handed to the handler. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'tenant-admin'; tenantId: string; principal: Principal }
  | { kind: 'self'; mailbox: MailboxRef };

/** What checking a caller needs. */
export interface RouteAccessContext {
  authenticator: ApiAuthenticator;
  users: WatchedUsers;
}

/** Whether routes with this access need a bearer token (and so a security entry in OpenAPI). */
export function needsBearerToken(access: RouteAccess): boolean {
  return access.kind === 'tenant-admin' || access.kind === 'self';
}

/**
 * Establishes the caller for a route: 401 without a valid token, 403 for the wrong caller, 404 for
 * a user the service does not watch. An admin sees status, never another user's meetings, so an
 * admin token does not pass a `self` route of someone else.
 */
export async function authorizeCaller(
  context: RouteAccessContext,
  access: RouteAccess,
  request: { authorization: string | null; params: Readonly<Record<string, string>> },
): Promise<Caller> {
  if (access.kind === 'anonymous' || access.kind === 'graph-webhook') return { kind: 'anonymous' };
  const principal = await context.authenticator.authenticate(request.authorization);
  if (access.kind === 'tenant-admin') {
    const tenantId = (request.params.tenantId ?? '').toLowerCase();
    if (!principal.roles.includes(context.authenticator.adminRole))
      throw new AppError('forbidden', `The ${context.authenticator.adminRole} role is required.`);
    if (principal.tenantId !== tenantId)
      throw new AppError('forbidden', 'Administrators manage their own tenant only.');
    return { kind: 'tenant-admin', tenantId, principal };
  }
  const userId = (request.params.userId ?? '').toLowerCase();
  if (principal.isApp || principal.objectId !== userId)
    throw new AppError('forbidden', 'A user can reach only their own meetings.');
  const mailbox = { tenantId: principal.tenantId, userId: principal.objectId };
  if (access.evenIfNotWatched) return { kind: 'self', mailbox };
  const watched = await context.users.find(mailbox);
  if (!watched?.enabled) throw new AppError('not-found', 'This user’s calendar is not connected.');
  return { kind: 'self', mailbox };
}

/** The tenant an admin route acts on; the hosting layer established it from the token. */
export function adminTenantOf(caller: Caller): string {
  if (caller.kind !== 'tenant-admin') throw new AppError('forbidden', 'An administrator is required.');
  return caller.tenantId;
}

/** The mailbox a `self` route acts on; the hosting layer established it from the token. */
export function ownMailboxOf(caller: Caller): MailboxRef {
  if (caller.kind !== 'self') throw new AppError('forbidden', 'A user can reach only their own meetings.');
  return caller.mailbox;
}
