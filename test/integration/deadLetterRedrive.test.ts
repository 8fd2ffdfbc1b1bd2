import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '../../dev/localStack.js';
import { startInProcessStack } from '../support/inProcessStack.js';

// Re-drive through the local stack: the real event-changes consumer dead-letters a message, the
// admin API sends it back through the in-process bus, and the consumer sees it again.
let stack: RunningLocalStack;
let tenantId: string;
let adminToken: string;

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.graph.tenant.tenantId;
  const alice = stack.graph.tenant.users.find((user) => user.mail === 'alice@contoso.example');
  if (!alice) throw new Error('the demo tenant has no Alice');
  adminToken = await stack.graph.identity.issueApiUserToken(alice);
});

afterAll(async () => {
  await stack?.stop();
});

async function redrive(body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.endpoints.api}/admin/tenants/${tenantId}/dead-letters/redrive`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('dead-letter re-drive through the local stack', () => {
  it('when a dead letter is re-driven by id, then it is delivered again and, still malformed, dead-lettered again with the same reason', async () => {
    await stack.bus.send('event-changes', {
      body: { tenantId, version: 1, notAnEventChange: true },
      messageId: 'malformed-1',
      sessionId: `${tenantId}:u1`,
    });
    await stack.bus.idle();
    const [record] = await stack.services.deadLetters.list({ tenantId });
    expect(record).toMatchObject({ queue: 'event-changes', messageId: 'malformed-1' });
    expect(stack.bus.deadLetterQueue('event-changes').map((letter) => letter.messageId)).toContain(
      'malformed-1',
    );

    const answer = await redrive({ queue: 'event-changes', messageId: 'malformed-1' });
    await stack.bus.idle();

    expect(answer).toEqual({ status: 202, body: { redriven: 1, notFound: 0 } });
    const recent = stack.bus.diagnostics('event-changes').recent.map((entry) => entry.messageId);
    expect(recent).toContain('malformed-1~redrive1');
    const letters = stack.bus.deadLetterQueue('event-changes').map((letter) => letter.messageId);
    expect(letters).not.toContain('malformed-1');
    expect(letters).toContain('malformed-1~redrive1');
    // The copy went back into the mailbox's session (a session queue refuses one without).
    expect(stack.bus.deadLetterQueue('event-changes').at(-1)?.sessionId).toBe(`${tenantId}:u1`);
    const records = await stack.services.deadLetters.list({ tenantId });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ messageId: 'malformed-1~redrive1', reason: record?.reason });
    expect(record?.reason).toBe('input-invalid');
  });

  it('when the message named is not dead-lettered, then it counts as not found; a body naming none of the choices is 400', async () => {
    expect(await redrive({ queue: 'event-changes', messageId: 'never-sent' })).toEqual({
      status: 202,
      body: { redriven: 0, notFound: 1 },
    });
    expect((await redrive({ everything: true })).status).toBe(400);
  });
});
