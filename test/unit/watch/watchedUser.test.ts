import { describe, expect, it } from 'vitest';
import { newWatchedUser, nextRetryAt, withFailure } from '../../../shared/watch/watchedUser.js';

const now = new Date('2026-11-22T10:00:00Z');

describe('the retry schedule', () => {
  it('when activation fails once or twice, then the next try is 60 minutes later', () => {
    expect(nextRetryAt(1, now).toISOString()).toBe('2026-11-22T11:00:00.000Z');
    expect(nextRetryAt(2, now).toISOString()).toBe('2026-11-22T11:00:00.000Z');
  });

  it('when it failed three times in a row, then the next try is 24 hours later', () => {
    expect(nextRetryAt(3, now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(nextRetryAt(7, now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('when a failure is recorded, then the user is in Error with the reason and one more failure', () => {
    const user = withFailure(
      withFailure(newWatchedUser('T', 'U', now), 'subscribe-failed', now),
      'mailbox-gone',
      now,
    );

    expect(user).toMatchObject({
      id: 'u',
      tenantId: 't',
      state: 'error',
      errorReason: 'mailbox-gone',
      consecutiveFailures: 2,
      nextRetryAt: '2026-11-22T11:00:00.000Z',
    });
  });
});
