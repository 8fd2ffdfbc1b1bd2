import { describe, expect, it } from 'vitest';
import { withNames } from '../../../shared/directory/namedUsers.js';
import type { UserNames } from '../../../shared/directory/userNames.js';
import { AppError } from '../../../shared/errors.js';

const listed = [
  { id: 'a', state: 'activated' },
  { id: 'b', state: 'error' },
];

describe('users with their names', () => {
  it('when the directory answers, then each user gets its name and mail, unknown ones null', async () => {
    const names: UserNames = {
      namesOf: async () => new Map([['a', { displayName: 'Alice', mail: 'alice@example.com' }]]),
    };

    expect(await withNames(names, 't', listed)).toEqual({
      users: [
        { id: 'a', state: 'activated', displayName: 'Alice', mail: 'alice@example.com' },
        { id: 'b', state: 'error', displayName: null, mail: null },
      ],
      namesUnavailable: null,
    });
  });

  it('when the directory fails, then the list is still given, without names and with the reason', async () => {
    const names: UserNames = {
      namesOf: async () => {
        throw new AppError('throttled', 'Graph throttled the request.');
      },
    };

    const named = await withNames(names, 't', listed);

    expect(named.namesUnavailable).toBe('throttled');
    expect(named.users.map((user) => user.displayName)).toEqual([null, null]);
  });
});
