import { describe, expect, it } from 'vitest';
import {
  reasonForRefusedRefreshToken,
  reauthorizationAskIntervalMs,
  shouldAskForReauthorization,
} from '../../../shared/connect/tokenFailureTriage.js';

describe('triage of a refused refresh token', () => {
  it.each([
    [700082, 'token-expired'],
    [70008, 'token-expired'],
    [50173, 'token-revoked'],
    [65001, 'consent-missing'],
    [65004, 'consent-declined'],
    [50076, 'mfa-required'],
    [50079, 'mfa-required'],
    [53003, 'conditional-access'],
  ])('when invalid_grant carries AADSTS%i, then the Error reason is %s', (code, reason) => {
    expect(reasonForRefusedRefreshToken([code])).toBe(reason);
  });

  it('when the codes are unknown or missing, then the reason is the general reauthorization-required', () => {
    expect(reasonForRefusedRefreshToken([7000215])).toBe('reauthorization-required');
    expect(reasonForRefusedRefreshToken([])).toBe('reauthorization-required');
  });

  it('when an unknown code comes before a known one, then the known one decides', () => {
    expect(reasonForRefusedRefreshToken([9002313, 53003])).toBe('conditional-access');
  });
});

describe('asking a connected user to reconnect', () => {
  const now = new Date('2026-11-22T10:00:00.000Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it('when the user was never asked, then they are asked', () => {
    expect(shouldAskForReauthorization(null, now)).toBe(true);
  });

  it('when the user was asked less than 30 days ago, then they are not asked again', () => {
    expect(shouldAskForReauthorization(ago(0), now)).toBe(false);
    expect(shouldAskForReauthorization(ago(29 * 86_400_000), now)).toBe(false);
    expect(shouldAskForReauthorization(ago(reauthorizationAskIntervalMs - 1), now)).toBe(false);
  });

  it('when 30 days or more have passed since the last ask, then they are asked again', () => {
    expect(shouldAskForReauthorization(ago(reauthorizationAskIntervalMs), now)).toBe(true);
    expect(shouldAskForReauthorization(ago(45 * 86_400_000), now)).toBe(true);
  });
});
