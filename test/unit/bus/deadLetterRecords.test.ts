import { describe, expect, it } from 'vitest';
import { deadLetterRecordFor, deadLetterRecordTtlSeconds } from '../../../shared/bus/deadLetterRecords.js';
import { buildReceived, describeDeadLetterRecordsContract } from '../../support/deadLetterRecordsContract.js';
import { InMemoryDeadLetterRecords } from '../../support/fakes/inMemoryDeadLetterRecords.js';

describeDeadLetterRecordsContract('the in-memory fake', async () => new InMemoryDeadLetterRecords());

describe('deadLetterRecordFor', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('when the body names a tenant, then the record carries it and nothing else of the body', () => {
    const record = deadLetterRecordFor(
      'event-changes',
      buildReceived({ body: { tenantId: 'ABCDEF01-1111-4111-8111-111111111111', subject: 'Secret plans' } }),
      { reason: 'input-invalid', description: 'eventId: expected string' },
      now,
    );

    expect(record).toMatchObject({
      queue: 'event-changes',
      messageId: 'm1',
      tenantId: 'abcdef01-1111-4111-8111-111111111111',
      reason: 'input-invalid',
      description: 'eventId: expected string',
      deadLetteredAt: '2026-11-27T10:00:00.000Z',
      ttl: deadLetterRecordTtlSeconds,
    });
    expect(JSON.stringify(record)).not.toContain('Secret plans');
    expect(record.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when the body names no tenant, then the record has none', () => {
    const record = deadLetterRecordFor(
      'event-changes',
      buildReceived({ body: [1, 2] }),
      { reason: 'r', description: 'd' },
      now,
    );

    expect(record.tenantId).toBeNull();
  });

  it('when the message has no id, then the record still gets one', () => {
    const record = deadLetterRecordFor(
      'event-changes',
      buildReceived({ messageId: undefined }),
      { reason: 'r', description: 'd' },
      now,
    );

    expect(record.messageId).toBeNull();
    expect(record.id).toMatch(/^[0-9a-f]{64}$/);
  });
});
