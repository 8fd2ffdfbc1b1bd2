import { describe, expect, it } from 'vitest';
import { selectRedrivable } from '../../../shared/adapters/serviceBus/serviceBusDeadLetterQueues.js';
import { deadLetterRecordFor } from '../../../shared/bus/deadLetterRecords.js';
import {
  type RedriveRequest,
  redriveCopy,
  redriveDeadLetters,
  redriveRequestSchema,
} from '../../../shared/bus/deadLetterRedrive.js';
import { buildReceived } from '../../support/deadLetterRecordsContract.js';
import { InMemoryDeadLetterQueues } from '../../support/fakes/inMemoryDeadLetterQueues.js';
import { InMemoryDeadLetterRecords } from '../../support/fakes/inMemoryDeadLetterRecords.js';

const tenantA = '11111111-1111-4111-8111-111111111111';
const tenantB = '22222222-2222-4222-8222-222222222222';
const at = new Date('2026-11-27T10:00:00Z');

interface Letter {
  queue: string;
  messageId: string;
  tenantId: string;
  reason: string;
  /** False: the record exists but the message has left the dead-letter queue. */
  inQueue?: boolean;
}

async function buildDeadLetters(letters: Letter[]) {
  const records = new InMemoryDeadLetterRecords();
  const queues = new InMemoryDeadLetterQueues();
  for (const letter of letters) {
    const message = buildReceived({
      messageId: letter.messageId,
      body: { tenantId: letter.tenantId, eventId: `event-of-${letter.messageId}` },
      applicationProperties: { retryAttempt: 5, source: 'graph' },
    });
    await records.save(
      deadLetterRecordFor(letter.queue, message, { reason: letter.reason, description: 'x' }, at),
    );
    if (letter.inQueue !== false) queues.deadLetter(letter.queue, message);
  }
  return { records, queues };
}

const letters: Letter[] = [
  { queue: 'event-changes', messageId: 'a1', tenantId: tenantA, reason: 'input-invalid' },
  { queue: 'event-changes', messageId: 'a2', tenantId: tenantA, reason: 'retries-exhausted' },
  { queue: 'user-activation', messageId: 'a3', tenantId: tenantA, reason: 'retries-exhausted' },
  { queue: 'event-changes', messageId: 'b1', tenantId: tenantB, reason: 'input-invalid' },
];

async function redrive(request: RedriveRequest, given = letters) {
  const deadLetters = await buildDeadLetters(given);
  const result = await redriveDeadLetters(deadLetters, tenantA, request);
  return { ...deadLetters, result, sentIds: deadLetters.queues.sent.map((sent) => sent.message.messageId) };
}

describe('redriveDeadLetters', () => {
  it('when one message is named, then only it goes back to its queue and its record is removed', async () => {
    const { result, sentIds, records, queues } = await redrive({ queue: 'event-changes', messageId: 'a2' });

    expect(result).toEqual({ redriven: 1, notFound: 0 });
    expect(sentIds).toEqual(['a2~redrive1']);
    expect(
      records
        .all()
        .map((record) => record.messageId)
        .sort(),
    ).toEqual(['a1', 'a3', 'b1']);
    expect(queues.lettersOf('event-changes').map((letter) => letter.messageId)).toEqual(['a1', 'b1']);
  });

  it("when a reason is named, then all of the tenant's letters of that reason go back, across queues", async () => {
    const { result, sentIds } = await redrive({ reason: 'retries-exhausted' });

    expect(result).toEqual({ redriven: 2, notFound: 0 });
    expect(sentIds.sort()).toEqual(['a2~redrive1', 'a3~redrive1']);
  });

  it("when all are asked for, then all of the tenant's letters go back and another tenant's stay", async () => {
    const { result, sentIds, records, queues } = await redrive({ all: true });

    expect(result).toEqual({ redriven: 3, notFound: 0 });
    expect(sentIds.sort()).toEqual(['a1~redrive1', 'a2~redrive1', 'a3~redrive1']);
    expect(records.all().map((record) => record.messageId)).toEqual(['b1']);
    expect(queues.lettersOf('event-changes').map((letter) => letter.messageId)).toEqual(['b1']);
  });

  it("when another tenant's message is named, then nothing moves and it counts as not found", async () => {
    const { result, sentIds, records } = await redrive({ queue: 'event-changes', messageId: 'b1' });

    expect(result).toEqual({ redriven: 0, notFound: 1 });
    expect(sentIds).toEqual([]);
    expect(records.all()).toHaveLength(4);
  });

  it('when a record exists but its message has left the dead-letter queue, then it counts as not found and is kept', async () => {
    const { result, records } = await redrive({ all: true }, [
      { queue: 'event-changes', messageId: 'a1', tenantId: tenantA, reason: 'input-invalid' },
      {
        queue: 'event-changes',
        messageId: 'gone',
        tenantId: tenantA,
        reason: 'input-invalid',
        inQueue: false,
      },
    ]);

    expect(result).toEqual({ redriven: 1, notFound: 1 });
    expect(records.all().map((record) => record.messageId)).toEqual(['gone']);
  });

  it('when a message is re-driven, then it carries the original body and no retryAttempt', async () => {
    const { queues } = await redrive({ queue: 'event-changes', messageId: 'a1' });

    expect(queues.sent).toEqual([
      {
        queue: 'event-changes',
        message: {
          body: { tenantId: tenantA, eventId: 'event-of-a1' },
          messageId: 'a1~redrive1',
          applicationProperties: { source: 'graph', redriveCount: 1 },
        },
      },
    ]);
  });
});

describe('redriveCopy', () => {
  it('when a message is re-driven a second time, then its id counts up instead of growing', () => {
    const copy = redriveCopy({
      body: { n: 1 },
      messageId: 'a1~retry3~redrive1',
      applicationProperties: { redriveCount: 1, retryAttempt: 3 },
    });

    expect(copy).toEqual({
      body: { n: 1 },
      messageId: 'a1~retry3~redrive2',
      applicationProperties: { redriveCount: 2 },
    });
  });

  it('when the dead letter was in a session, then the copy goes back to the same session', () => {
    const copy = redriveCopy({
      body: { n: 1 },
      messageId: 'a1',
      sessionId: 't1:u1',
      applicationProperties: {},
    });

    expect(copy.sessionId).toBe('t1:u1');
  });

  it('when the original id is at the Service Bus limit, then the new id still fits in 128 characters', () => {
    const copy = redriveCopy({ body: null, messageId: 'x'.repeat(128), applicationProperties: {} });

    expect(copy.messageId).toHaveLength(128);
    expect(copy.messageId?.endsWith('~redrive1')).toBe(true);
  });
});

describe('redriveRequestSchema', () => {
  it.each([[{ messageId: 'a1', queue: 'event-changes' }], [{ reason: 'input-invalid' }], [{ all: true }]])(
    'when the body is %j, then it is accepted',
    (body) => {
      expect(redriveRequestSchema.safeParse(body).success).toBe(true);
    },
  );

  it.each([
    [{}],
    [{ all: false }],
    [{ messageId: 'a1' }],
    [{ reason: 'input-invalid', all: true }],
    [{ reason: '' }],
  ])('when the body is %j, then it is refused', (body) => {
    expect(redriveRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('selectRedrivable (Service Bus adapter)', () => {
  it('when a batch holds wanted, unwanted, id-less and repeated messages, then each wanted id is taken once', () => {
    const batch = [{ messageId: 'a1' }, { messageId: 'z9' }, {}, { messageId: 'a1' }, { messageId: 'a2' }];

    const { take, leave } = selectRedrivable(batch, new Set(['a1', 'a2']));

    expect(take).toEqual([{ messageId: 'a1' }, { messageId: 'a2' }]);
    expect(leave).toEqual([{ messageId: 'z9' }, {}, { messageId: 'a1' }]);
  });
});
