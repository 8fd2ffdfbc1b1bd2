import { hasErrorCode } from '../errors.js';

/** One pass of a read-decide-write cycle. */
export interface ConflictAttempt {
  /** 1 for the first pass. */
  number: number;
  /** True on the last pass: a version conflict now is a failure, not a reason to read again. */
  final: boolean;
}

/**
 * Runs `pass` (which reads, decides and writes conditionally) until it gets through: when its write
 * finds that someone changed the data since its read (`precondition-failed`), it runs again on a
 * fresh read, at most `maxAttempts` times in all. Any other failure, and a conflict on the last pass,
 * is rethrown.
 */
export async function retryOnVersionConflict<T>(
  maxAttempts: number,
  pass: (attempt: ConflictAttempt) => Promise<T>,
): Promise<T> {
  for (let number = 1; number < maxAttempts; number += 1) {
    try {
      return await pass({ number, final: false });
    } catch (error) {
      if (!hasErrorCode(error, 'precondition-failed')) throw error;
    }
  }
  return pass({ number: maxAttempts, final: true });
}
