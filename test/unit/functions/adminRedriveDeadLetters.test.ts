import { describe, expect, it } from 'vitest';
import { adminRedriveDeadLettersFunction } from '../../../functions/adminRedriveDeadLetters.js';
import type { ApiAuthenticator, Principal } from '../../../shared/auth/apiAuthenticator.js';
import { deadLetterRecordFor } from '../../../shared/bus/deadLetterRecords.js';
import { AppError } from '../../../shared/errors.js';
import { HttpRequest } from '../../../shared/hosting/azureFunctionsRuntime.js';
import { answerHttpRequest } from '../../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { buildReceived } from '../../support/deadLetterRecordsContract.js';
import { InMemoryDeadLetterQueues } from '../../support/fakes/inMemoryDeadLetterQueues.js';
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

async function buildContext() {
  const records = new InMemoryDeadLetterRecords();
  const queues = new InMemoryDeadLetterQueues();
  for (const [messageId, tenantId] of [
    ['a1', tenantA],
    ['b1', tenantB],
  ] as const) {
    const message = buildReceived({ messageId, body: { tenantId } });
    await records.save(
      deadLetterRecordFor(
        'event-changes',
        message,
        { reason: 'input-invalid', description: 'x' },
        new Date('2026-11-27T10:00:00Z'),
      ),
    );
    queues.deadLetter('event-changes', message);
  }
  return { records, queues };
}

async function post(body: string, authorization = adminOf(tenantA)) {
  const context = await buildContext();
  const request = new HttpRequest({
    method: 'POST',
    url: `http://127.0.0.1:7071/api/admin/tenants/${tenantA}/dead-letters/redrive`,
    params: { tenantId: tenantA },
    headers: { authorization, 'content-type': 'application/json' },
    body: { string: body },
  });
  const response = await answerHttpRequest(
    adminRedriveDeadLettersFunction,
    request,
    context,
    buildInvocationContext(),
    { authenticator, users: new InMemoryWatchedUsers(new ManualClock('2026-11-27T10:00:00Z')) },
  );
  return { response, ...context };
}

describe('POST /api/admin/tenants/{tenantId}/dead-letters/redrive', () => {
  it("when the tenant's admin re-drives all, then 202 counts only the tenant's letters", async () => {
    const { response, queues } = await post('{"all": true}');

    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({ redriven: 1, notFound: 0 });
    expect(queues.sent.map((sent) => sent.message.messageId)).toEqual(['a1~redrive1']);
  });

  it.each([['{}'], ['{"all": false}'], ['{"reason": "input-invalid", "all": true}'], ['not json']])(
    'when the body is %s, then 400 and nothing moves',
    async (body) => {
      const { response, queues } = await post(body);

      expect(response.status).toBe(400);
      expect(queues.sent).toEqual([]);
    },
  );

  it("when the token is another tenant's admin, then 403", async () => {
    const { response } = await post('{"all": true}', adminOf(tenantB));

    expect(response.status).toBe(403);
  });
});
