import { describe, expect, it } from 'vitest';
import { adminDeadLettersFunction } from '../../../functions/adminDeadLetters.js';
import type { ApiAuthenticator, Principal } from '../../../shared/auth/apiAuthenticator.js';
import { deadLetterRecordFor } from '../../../shared/bus/deadLetterRecords.js';
import { AppError } from '../../../shared/errors.js';
import { HttpRequest } from '../../../shared/hosting/azureFunctionsRuntime.js';
import { answerHttpRequest } from '../../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { buildReceived } from '../../support/deadLetterRecordsContract.js';
import { InMemoryDeadLetterRecords } from '../../support/fakes/inMemoryDeadLetterRecords.js';
import { InMemoryWatchedUsers } from '../../support/fakes/inMemoryWatchedUsers.js';
import { buildInvocationContext } from '../../support/invocationContext.js';

const tenantA = '11111111-1111-4111-8111-111111111111';
const tenantB = '22222222-2222-4222-8222-222222222222';

/** Tokens are their principal's JSON: the fake stands for Entra ID's signature check. */
const authenticator: ApiAuthenticator = {
  adminRole: 'HybridCalendar.Admin',
  async authenticate(authorization) {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new AppError('unauthenticated', 'A bearer token is required.');
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Principal;
  },
};

function adminOf(tenantId: string): string {
  const principal: Principal = { tenantId, objectId: 'a11ce', roles: ['HybridCalendar.Admin'], isApp: false };
  return `Bearer ${Buffer.from(JSON.stringify(principal)).toString('base64url')}`;
}

async function buildRecords(): Promise<InMemoryDeadLetterRecords> {
  const records = new InMemoryDeadLetterRecords();
  const now = new Date('2026-11-27T10:00:00Z');
  await records.save(
    deadLetterRecordFor(
      'event-changes',
      buildReceived({ messageId: 'a1', body: { tenantId: tenantA, subject: 'Board pay review' } }),
      { reason: 'input-invalid', description: 'message body: eventId: expected string' },
      now,
    ),
  );
  await records.save(
    deadLetterRecordFor(
      'user-activation',
      buildReceived({ messageId: 'a2', body: { tenantId: tenantA } }),
      { reason: 'retries-exhausted', description: 'throttled: Graph said 429' },
      now,
    ),
  );
  await records.save(
    deadLetterRecordFor(
      'event-changes',
      buildReceived({ messageId: 'b1', body: { tenantId: tenantB } }),
      { reason: 'input-invalid', description: 'x' },
      now,
    ),
  );
  return records;
}

async function get(
  records: InMemoryDeadLetterRecords,
  tenantId: string,
  query: string,
  authorization?: string,
) {
  const request = new HttpRequest({
    method: 'GET',
    url: `http://127.0.0.1:7071/api/admin/tenants/${tenantId}/dead-letters${query}`,
    params: { tenantId },
    headers: authorization ? { authorization } : {},
  });
  return answerHttpRequest(adminDeadLettersFunction, request, records, buildInvocationContext(), {
    authenticator,
    users: new InMemoryWatchedUsers(new ManualClock('2026-11-27T10:00:00Z')),
  });
}

describe('GET /api/admin/tenants/{tenantId}/dead-letters', () => {
  it("when a tenant's admin asks, then the tenant's records come back counted by reason, without bodies", async () => {
    const response = await get(await buildRecords(), tenantA, '', adminOf(tenantA));

    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({
      counts: { 'input-invalid': 1, 'retries-exhausted': 1 },
      records: [
        expect.objectContaining({ queue: 'event-changes', messageId: 'a1', reason: 'input-invalid' }),
        expect.objectContaining({ queue: 'user-activation', messageId: 'a2', reason: 'retries-exhausted' }),
      ],
    });
    expect(JSON.stringify(response.jsonBody)).not.toContain('Board pay review');
    expect(JSON.stringify(response.jsonBody)).not.toContain('b1');
  });

  it('when a reason is given, then only that reason is listed', async () => {
    const response = await get(await buildRecords(), tenantA, '?reason=retries-exhausted', adminOf(tenantA));

    expect(response.jsonBody).toMatchObject({
      counts: { 'retries-exhausted': 1 },
      records: [{ messageId: 'a2' }],
    });
  });

  it('when there is no token, then 401; when the token is of another tenant, then 403', async () => {
    const records = await buildRecords();

    expect((await get(records, tenantA, '')).status).toBe(401);
    expect((await get(records, tenantA, '', adminOf(tenantB))).status).toBe(403);
  });
});
