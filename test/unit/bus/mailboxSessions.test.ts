import { describe, expect, it } from 'vitest';
import { functionList } from '../../../functions/functionList.js';
import { retryCopy } from '../../../shared/bus/messageBus.js';
import { queueNames, sessionIdForMailbox, sessionQueueNames } from '../../../shared/bus/queues.js';
import { eventChangeOutgoing } from '../../../shared/watch/messages.js';

const tenantA = '11111111-1111-4111-8111-111111111111';

describe('sessionIdForMailbox', () => {
  it('when the ids differ only in case, then the mailbox has one session', () => {
    expect(sessionIdForMailbox({ tenantId: tenantA.toUpperCase(), userId: 'Ada@Contoso.com' })).toBe(
      sessionIdForMailbox({ tenantId: tenantA, userId: 'ada@contoso.com' }),
    );
    expect(sessionIdForMailbox({ tenantId: tenantA, userId: 'u1' })).toBe(`${tenantA}:u1`);
  });

  it('when the key would exceed 128 characters, then the session id is its hash and fits', () => {
    const long = sessionIdForMailbox({ tenantId: tenantA, userId: `${'a'.repeat(120)}@contoso.com` });

    expect(long).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionIdForMailbox({ tenantId: tenantA, userId: 'x'.repeat(91) })).toHaveLength(128);
  });
});

describe('mailbox sessions', () => {
  it("when an event change is built, then it carries its mailbox's session", () => {
    const message = eventChangeOutgoing({
      version: 1,
      tenantId: tenantA,
      userId: 'u1',
      eventId: 'e1',
      changeType: 'updated',
      changeKey: 'k1',
      source: 'notification',
      subscriptionId: 's1',
      observedAt: '2026-11-27T10:00:00.000Z',
    });

    expect(message.sessionId).toBe(`${tenantA}:u1`);
  });

  it('when a message delivered in a session is retried, then the copy stays in that session', () => {
    const copy = retryCopy(
      {
        body: { n: 1 },
        messageId: 'm1',
        sessionId: 't1:u1',
        deliveryCount: 1,
        enqueuedTime: undefined,
        applicationProperties: {},
      },
      2,
    );

    expect(copy).toEqual({
      body: { n: 1 },
      messageId: 'm1~retry2',
      sessionId: 't1:u1',
      applicationProperties: { retryAttempt: 2 },
    });
  });

  it('when a function consumes a session queue, then its trigger is session-enabled, and no other is', () => {
    const queueFunctions = functionList.flatMap((definition) =>
      definition.kind === 'queue' ? [definition] : [],
    );

    // Every queue has its consumer; only the session queues' triggers listen for sessions.
    expect(queueFunctions.map((definition) => definition.queueName).sort()).toEqual(
      Object.values(queueNames).sort(),
    );
    const sessionQueues = new Set<string>(sessionQueueNames);
    for (const definition of queueFunctions)
      expect(definition.sessions ?? false, definition.name).toBe(sessionQueues.has(definition.queueName));
  });
});
