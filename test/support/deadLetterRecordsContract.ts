import { describe, expect, it } from 'vitest';
import {
  type DeadLetterRecords,
  deadLetterRecordFor,
  listDeadLetters,
} from '../../shared/bus/deadLetterRecords.js';
import type { ReceivedMessage } from '../../shared/bus/messageBus.js';

const tenantA = '11111111-1111-4111-8111-111111111111';
const tenantB = '22222222-2222-4222-8222-222222222222';

export function buildReceived(overrides: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return {
    body: { version: 1, tenantId: tenantA, userId: 'u1' },
    messageId: 'm1',
    deliveryCount: 1,
    enqueuedTime: undefined,
    applicationProperties: {},
    ...overrides,
  };
}

/** What every implementation of the DeadLetterRecords port must do: the in-memory fake and Cosmos alike. */
export function describeDeadLetterRecordsContract(
  name: string,
  build: () => Promise<DeadLetterRecords>,
): void {
  describe(`${name}: dead-letter records`, () => {
    it('when records of two tenants are saved, then a tenant lists only its own, newest first, counted by reason', async () => {
      const records = await build();
      const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'a1' }),
          { reason: 'input-invalid', description: 'eventId: expected string' },
          at(1),
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'user-activation',
          buildReceived({ messageId: 'a2' }),
          { reason: 'retries-exhausted', description: 'throttled: Graph said 429' },
          at(2),
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'a3' }),
          { reason: 'input-invalid', description: 'changeType: invalid' },
          at(3),
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'b1', body: { tenantId: tenantB } }),
          { reason: 'input-invalid', description: 'x' },
          at(4),
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'n1', body: 'not json' }),
          { reason: 'input-invalid', description: 'x' },
          at(5),
        ),
      );

      const listing = await listDeadLetters(records, { tenantId: tenantA });

      expect(listing.counts).toEqual({ 'input-invalid': 2, 'retries-exhausted': 1 });
      expect(listing.records.map((record) => record.messageId)).toEqual(['a3', 'a2', 'a1']);
      expect(listing.records[0]).toEqual({
        queue: 'event-changes',
        messageId: 'a3',
        tenantId: tenantA,
        reason: 'input-invalid',
        description: 'changeType: invalid',
        deadLetteredAt: at(3).toISOString(),
      });
    });

    it('when a reason is asked for, then only records with that reason are listed', async () => {
      const records = await build();
      const now = new Date('2026-11-27T10:00:00Z');
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'a1' }),
          { reason: 'input-invalid', description: 'd' },
          now,
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          buildReceived({ messageId: 'a2' }),
          { reason: 'mailbox-gone', description: 'd' },
          now,
        ),
      );

      const listing = await listDeadLetters(records, { tenantId: tenantA, reason: 'mailbox-gone' });

      expect(listing.counts).toEqual({ 'mailbox-gone': 1 });
      expect(listing.records.map((record) => record.messageId)).toEqual(['a2']);
    });

    it('when the same message is dead-lettered twice, then it keeps one record', async () => {
      const records = await build();
      const message = buildReceived({ messageId: 'a1' });
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          message,
          { reason: 'input-invalid', description: 'first' },
          new Date('2026-11-27T10:00:00Z'),
        ),
      );
      await records.save(
        deadLetterRecordFor(
          'event-changes',
          message,
          { reason: 'input-invalid', description: 'second' },
          new Date('2026-11-27T10:01:00Z'),
        ),
      );

      const listing = await listDeadLetters(records, { tenantId: tenantA });

      expect(listing.records.map((record) => record.description)).toEqual(['second']);
    });

    it('when a record is removed, then it is no longer listed, and removing it again is no error', async () => {
      const records = await build();
      const at = new Date('2026-11-27T10:00:00Z');
      const kept = deadLetterRecordFor(
        'event-changes',
        buildReceived({ messageId: 'a1' }),
        { reason: 'input-invalid', description: 'x' },
        at,
      );
      const removed = deadLetterRecordFor(
        'event-changes',
        buildReceived({ messageId: 'a2' }),
        { reason: 'input-invalid', description: 'x' },
        at,
      );
      await records.save(kept);
      await records.save(removed);

      await records.remove(removed);
      await records.remove(removed);

      const listing = await listDeadLetters(records, { tenantId: tenantA });
      expect(listing.records.map((record) => record.messageId)).toEqual(['a1']);
    });
  });
}
