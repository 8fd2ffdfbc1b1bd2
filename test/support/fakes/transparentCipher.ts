import type { z } from 'zod';
import type { EnvelopeCipher, Sealed } from '../../../shared/crypto/envelopeEncryption.js';
import { AppError } from '../../../shared/errors.js';

/**
 * Seals by encoding, not encrypting, so that unit tests can read what a record holds. The record id
 * is bound in as the real cipher binds it: opened under another id, it refuses.
 */
export class TransparentCipher implements Pick<EnvelopeCipher, 'seal' | 'open'> {
  async seal(userId: string, recordId: string, value: unknown): Promise<Sealed> {
    return {
      alg: 'A256GCM',
      dataKeyId: `${userId.toLowerCase()}.1`,
      iv: 'not-encrypted',
      ciphertext: Buffer.from(JSON.stringify(value)).toString('base64'),
      tag: Buffer.from(recordId).toString('base64'),
    };
  }

  async open<T>(_userId: string, recordId: string, sealed: Sealed, schema: z.ZodType<T>): Promise<T> {
    if (sealed.tag !== Buffer.from(recordId).toString('base64'))
      throw new AppError('key-unwrap-failed', 'sealed under another record id');
    return schema.parse(JSON.parse(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')));
  }
}
