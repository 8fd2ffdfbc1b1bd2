import { describe, expect, it } from 'vitest';
import {
  reconnectErrorReasons,
  refusedRefreshTokenReasons,
} from '../../../shared/connect/reconnectReasons.js';
import { aadstsErrorReasons } from '../../../shared/connect/tokenFailureTriage.js';
import { errorReasons } from '../../../shared/watch/watchedUser.js';

describe('the reasons that ask a connected user to reconnect (the console bundles this list)', () => {
  it('when the AADSTS triage names a reason, then it is in the list, and the list holds nothing else', () => {
    expect(new Set(aadstsErrorReasons.values())).toEqual(new Set(refusedRefreshTokenReasons));
  });

  it('when the list is read, then each entry is an Error reason of a watched user', () => {
    for (const reason of reconnectErrorReasons) expect(errorReasons).toContain(reason);
    expect(reconnectErrorReasons).toContain('reauthorization-required');
  });
});
