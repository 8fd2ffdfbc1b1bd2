import type { DemoTenant, DirectoryUser } from './demoTenant.js';
import { badRequest, GraphError } from './graphErrors.js';
import type { AccessTokenClaims } from './identity.js';
import type { DirectoryGroup } from './secondTenant.js';

/**
 * Why Exchange refuses a mailbox call, as Graph answers it: no Exchange Online licence (no mailbox),
 * or an application access policy that keeps app-only tokens out of this mailbox.
 */
export function mailboxAccessRefusal(user: DirectoryUser, claims: AccessTokenClaims): GraphError | undefined {
  if (user.exchangeLicensed === false) {
    return new GraphError(
      404,
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    );
  }
  if (user.applicationAccessPolicyBlocked && claims.idtyp === 'app')
    return new GraphError(403, 'ErrorAccessDenied', 'Access to OData is disabled.');
  return undefined;
}

/**
 * A subscription to the events of a mailbox an application access policy blocks fails as Graph's
 * Exchange extension reports it: 403 `ExtensionError`, the policy's reason inside the message.
 */
export function subscriptionRefusal(
  tenant: DemoTenant,
  body: unknown,
  claims: AccessTokenClaims,
): GraphError | undefined {
  const resource = (body as { resource?: unknown } | undefined)?.resource;
  if (typeof resource !== 'string' || claims.idtyp !== 'app') return undefined;
  const key = /^\/?users\/([^/]+)\//i.exec(resource)?.[1]?.toLowerCase();
  const user = tenant.users.find(
    (candidate) =>
      candidate.id === key ||
      candidate.userPrincipalName.toLowerCase() === key ||
      candidate.mail.toLowerCase() === key,
  );
  if (!user?.applicationAccessPolicyBlocked) return undefined;
  return new GraphError(
    403,
    'ExtensionError',
    'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access to OData is disabled.]',
  );
}

/** `mail`, as Graph shows it: null for a user without a mailbox. */
export function graphMailOf(user: DirectoryUser): string | null {
  return user.exchangeLicensed === false ? null : user.mail;
}

/**
 * `$filter=mail ne null` is an advanced query: Graph refuses it without `ConsistencyLevel: eventual`
 * and `$count=true`.
 */
export function usersWithMailFilter(
  filter: string,
  query: URLSearchParams,
  headers: Record<string, string>,
): ((user: DirectoryUser) => boolean) | undefined {
  if (!/^mail\s+ne\s+null$/i.test(filter.trim())) return undefined;
  if (headers.consistencylevel?.toLowerCase() !== 'eventual' || query.get('$count') !== 'true') {
    throw badRequest(
      "Unsupported or invalid query filter clause specified for property 'mail' of resource 'User'.",
      'Request_UnsupportedQuery',
    );
  }
  return (user) => graphMailOf(user) !== null;
}

/**
 * `GET /groups/{id}/transitiveMembers` (and its `/microsoft.graph.user` cast): every member, nested
 * groups followed once each, as directory objects with their `@odata.type`.
 */
export function transitiveMembers(
  tenant: DemoTenant,
  groups: readonly DirectoryGroup[],
  groupId: string,
  usersOnly: boolean,
): Array<Record<string, unknown>> {
  const root = groups.find((group) => group.id === groupId.toLowerCase());
  if (!root) {
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  const seen = new Set<string>([root.id]);
  const members: Array<Record<string, unknown>> = [];
  const pending = [...root.memberIds];
  while (pending.length > 0) {
    const id = pending.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const group = groups.find((candidate) => candidate.id === id);
    if (group) {
      pending.push(...group.memberIds);
      if (!usersOnly)
        members.push({
          '@odata.type': '#microsoft.graph.group',
          id: group.id,
          displayName: group.displayName,
        });
      continue;
    }
    const user = tenant.users.find((candidate) => candidate.id === id);
    if (user) {
      members.push({
        '@odata.type': '#microsoft.graph.user',
        id: user.id,
        displayName: user.displayName,
        mail: graphMailOf(user),
        userPrincipalName: user.userPrincipalName,
      });
    }
  }
  return members;
}
