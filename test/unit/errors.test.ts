import { describe, expect, it } from 'vitest';
import { AppError, httpStatusFor, isTransient } from '../../shared/errors.js';
import { responseForError } from '../../shared/hosting/httpResponses.js';

describe('errors', () => {
  it('when an error is throttling or an outage, then it is transient; bad input is not', () => {
    expect(isTransient(new AppError('throttled', 'x'))).toBe(true);
    expect(isTransient(new AppError('dependency-unavailable', 'x'))).toBe(true);
    expect(isTransient(new AppError('input-invalid', 'x'))).toBe(false);
    expect(isTransient(new AppError('not-found', 'x'))).toBe(false);
  });

  it('when an error is not ours, then it counts as transient so that nothing is lost', () => {
    expect(isTransient(new TypeError('boom'))).toBe(true);
  });

  it('when an error reaches HTTP, then its code picks the status and unknown errors reveal nothing', () => {
    expect(httpStatusFor(new AppError('input-invalid', 'x'))).toBe(400);
    expect(httpStatusFor(new AppError('precondition-failed', 'x'))).toBe(412);
    expect(responseForError(new AppError('not-found', 'no such meeting'))).toMatchObject({
      status: 404,
      jsonBody: { error: { code: 'not-found', message: 'no such meeting' } },
    });
    expect(responseForError(new Error('connection string=secret'))).toMatchObject({
      status: 500,
      jsonBody: { error: { code: 'internal-error', message: 'The request failed unexpectedly.' } },
    });
  });
});
