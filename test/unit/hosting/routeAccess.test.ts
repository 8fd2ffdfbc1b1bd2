import { describe, expect, it } from 'vitest';
import { functionList } from '../../../functions/functionList.js';
import type { ApiAuthenticator, Principal } from '../../../shared/auth/apiAuthenticator.js';
import type { RouteAccessContext } from '../../../shared/auth/routeAccess.js';
import { AppError } from '../../../shared/errors.js';
import { HttpRequest, HttpResponse } from '../../../shared/hosting/azureFunctionsRuntime.js';
import {
  answerHttpRequest,
  type HttpFunctionDefinition,
} from '../../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../../shared/time/clock.js';
import type { WatchedUser } from '../../../shared/watch/watchedUser.js';
import { InMemoryWatchedUsers } from '../../support/fakes/inMemoryWatchedUsers.js';
import { buildInvocationContext } from '../../support/invocationContext.js';
import { buildWatchedUser } from '../../support/watchBuilders.js';

const tenantId = '8f1c2d3e-0000-4000-8000-000000000001';
const aliceId = 'a11ce000-0000-4000-8000-000000000001';
const bobId = 'b0b00000-0000-4000-8000-000000000002';

/** Tokens are their principal's JSON: the fake stands for Entra ID's signature check. */
const authenticator: ApiAuthenticator = {
  adminRole: 'HybridCalendar.Admin',
  async authenticate(authorization) {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new AppError('unauthenticated', 'A bearer token is required.');
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Principal;
  },
};

function bearer(principal: Partial<Principal>): string {
  const full: Principal = { tenantId, objectId: aliceId, roles: [], isApp: false, ...principal };
  return `Bearer ${Buffer.from(JSON.stringify(full)).toString('base64url')}`;
}

function buildRouteAccess(...others: WatchedUser[]): RouteAccessContext {
  const users = new InMemoryWatchedUsers(new ManualClock('2026-11-22T10:00:00Z'));
  users.seed(buildWatchedUser({ id: aliceId, tenantId, enabled: true }), ...others);
  return { authenticator, users };
}

/** A handler that records that it ran and who the host said was calling. */
function buildRoute(access: HttpFunctionDefinition<unknown>['access'], route: string) {
  const seen: unknown[] = [];
  const definition: HttpFunctionDefinition<unknown> = {
    kind: 'http',
    name: 'probe',
    route,
    methods: ['GET'],
    access,
    describe: { get: { summary: 'probe', responses: { '200': 'OK' } } },
    async handle(_request, _services, _context, caller) {
      seen.push(caller);
      return { status: 200 };
    },
  };
  return { definition, seen };
}

async function call(
  definition: HttpFunctionDefinition<unknown>,
  params: Record<string, string>,
  authorization: string | undefined,
  routeAccess: RouteAccessContext | 'no caller check' = buildRouteAccess(),
): Promise<number> {
  const request = new HttpRequest({
    method: 'GET',
    url: 'http://127.0.0.1:7071/api/probe',
    params,
    headers: authorization ? { authorization } : {},
  });
  return new HttpResponse(
    await answerHttpRequest(
      definition,
      request,
      undefined,
      buildInvocationContext(),
      routeAccess === 'no caller check' ? undefined : routeAccess,
    ),
  ).status;
}

describe('route access, enforced by the hosting layer', () => {
  it('when an admin route is called without a token, then 401 and the handler never runs', async () => {
    const { definition, seen } = buildRoute({ kind: 'tenant-admin' }, 'admin/tenants/{tenantId}/x');

    expect(await call(definition, { tenantId }, undefined)).toBe(401);
    expect(seen).toEqual([]);
  });

  it('when an admin route is called without the role or for another tenant, then 403 and the handler never runs', async () => {
    const { definition, seen } = buildRoute({ kind: 'tenant-admin' }, 'admin/tenants/{tenantId}/x');

    expect(await call(definition, { tenantId }, bearer({ roles: [] }))).toBe(403);
    expect(
      await call(
        definition,
        { tenantId: 'ffffffff-0000-4000-8000-000000000009' },
        bearer({ roles: ['HybridCalendar.Admin'] }),
      ),
    ).toBe(403);
    expect(seen).toEqual([]);
  });

  it('when an admin of the tenant calls, then the handler runs and is told the tenant', async () => {
    const { definition, seen } = buildRoute({ kind: 'tenant-admin' }, 'admin/tenants/{tenantId}/x');

    expect(
      await call(
        definition,
        { tenantId: tenantId.toUpperCase() },
        bearer({ roles: ['HybridCalendar.Admin'] }),
      ),
    ).toBe(200);
    expect(seen).toEqual([expect.objectContaining({ kind: 'tenant-admin', tenantId })]);
  });

  it('when a user route is called by someone else, an app or an admin, then 403; for an unwatched user 404', async () => {
    const { definition, seen } = buildRoute({ kind: 'self' }, 'users/{userId}/x');

    expect(await call(definition, { userId: aliceId }, bearer({ objectId: bobId }))).toBe(403);
    expect(await call(definition, { userId: aliceId }, bearer({ isApp: true }))).toBe(403);
    expect(
      await call(definition, { userId: bobId }, bearer({ objectId: bobId, roles: ['HybridCalendar.Admin'] })),
    ).toBe(404);
    expect(seen).toEqual([]);
  });

  it('when a watched user calls their own route, then the handler runs with their mailbox', async () => {
    const { definition, seen } = buildRoute({ kind: 'self' }, 'users/{userId}/x');

    expect(await call(definition, { userId: aliceId }, bearer({}))).toBe(200);
    expect(seen).toEqual([{ kind: 'self', mailbox: { tenantId, userId: aliceId } }]);
  });

  it('when a user whose watch document is disabled or missing calls a data-rights route, then the handler runs; other users still get 403 and plain user routes 404', async () => {
    const routeAccess = buildRouteAccess(buildWatchedUser({ id: bobId, tenantId, enabled: false }));
    const carolId = 'ca401000-0000-4000-8000-000000000003';
    const dataRights = buildRoute({ kind: 'self', evenIfNotWatched: true }, 'users/{userId}/x');
    const plain = buildRoute({ kind: 'self' }, 'users/{userId}/x');

    expect(
      await call(dataRights.definition, { userId: bobId }, bearer({ objectId: bobId }), routeAccess),
    ).toBe(200);
    expect(
      await call(dataRights.definition, { userId: carolId }, bearer({ objectId: carolId }), routeAccess),
    ).toBe(200);
    expect(
      await call(dataRights.definition, { userId: bobId }, bearer({ objectId: aliceId }), routeAccess),
    ).toBe(403);
    expect(
      await call(
        dataRights.definition,
        { userId: bobId },
        bearer({ objectId: bobId, isApp: true }),
        routeAccess,
      ),
    ).toBe(403);
    expect(await call(plain.definition, { userId: bobId }, bearer({ objectId: bobId }), routeAccess)).toBe(
      404,
    );
    expect(dataRights.seen).toEqual([
      { kind: 'self', mailbox: { tenantId, userId: bobId } },
      { kind: 'self', mailbox: { tenantId, userId: carolId } },
    ]);
    expect(plain.seen).toEqual([]);
  });

  it('when export and purge are declared, then they are the only user routes open to a disabled user', () => {
    const open = functionList
      .filter(
        (definition) =>
          definition.kind === 'http' &&
          definition.access.kind === 'self' &&
          definition.access.evenIfNotWatched,
      )
      .map((definition) => definition.name)
      .sort();

    expect(open).toEqual(['userDataExport', 'userDataPurge']);
  });

  it('when a protected route runs on a host that cannot check callers, then it fails closed with 500', async () => {
    const { definition, seen } = buildRoute({ kind: 'self' }, 'users/{userId}/x');

    expect(await call(definition, { userId: aliceId }, bearer({}), 'no caller check')).toBe(500);
    expect(seen).toEqual([]);
  });

  it('when a route is anonymous or a Graph webhook, then it runs without a token', async () => {
    for (const kind of ['anonymous', 'graph-webhook'] as const) {
      const { definition, seen } = buildRoute({ kind }, 'open');

      expect(await call(definition, {}, undefined, 'no caller check')).toBe(200);
      expect(seen).toEqual([{ kind: 'anonymous' }]);
    }
  });
});
