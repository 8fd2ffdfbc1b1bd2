import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, hasErrorCode } from '../errors.js';
import type { KeyWrapper } from '../keys/keyWrapping.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';

const wrappedKeySchema = z.object({
  keyId: z.string().min(1),
  algorithm: z.literal('RSA-OAEP-256'),
  wrapped: z.string().min(1),
});

/** A user's data key, wrapped by the key-encryption key; the key id names the exact KEK version. */
export const dataKeySchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  wrappedKey: wrappedKeySchema,
  createdAt: z.iso.datetime(),
});
export type DataKeyDocument = z.infer<typeof dataKeySchema>;
export const dataKeys: CollectionDefinition<DataKeyDocument> = {
  ...containerLayouts.dataKeys,
  schema: dataKeySchema,
};

/** A sealed value: AES-256-GCM under a user's data key, the record id as associated data. */
export const sealedSchema = z.object({
  alg: z.literal('A256GCM'),
  dataKeyId: z.string().min(1),
  iv: z.string().min(1),
  ciphertext: z.string().min(1),
  tag: z.string().min(1),
});
export type Sealed = z.infer<typeof sealedSchema>;

export interface KeyRingStats {
  unwraps: number;
  wraps: number;
  cacheHits: number;
}

/**
 * Data keys per user: made on first use, stored wrapped, kept unwrapped in memory for a bounded
 * time. Concurrent requests for the same key share one unwrap.
 */
export class DataKeyRing {
  readonly stats: KeyRingStats = { unwraps: 0, wraps: 0, cacheHits: 0 };
  readonly #wrapper: KeyWrapper;
  readonly #keys: DocumentCollection<DataKeyDocument>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { key: Buffer; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<Buffer>>();

  constructor(options: {
    wrapper: KeyWrapper;
    keys: DocumentCollection<DataKeyDocument>;
    clock: Clock;
    cacheTtlMs?: number;
  }) {
    this.#wrapper = options.wrapper;
    this.#keys = options.keys;
    this.#clock = options.clock;
    this.#ttlMs = options.cacheTtlMs ?? 10 * 60_000;
  }

  /** Drops a user's unwrapped keys from memory (offboarding: the stored keys are deleted too). */
  forgetUser(userId: string): void {
    for (const cacheKey of this.#cache.keys())
      if (cacheKey.toLowerCase().startsWith(`${userId.toLowerCase()}|`)) this.#cache.delete(cacheKey);
  }

  /** The key id of a user's current data key: one generation per user for now. */
  static currentKeyId(userId: string): string {
    return `${userId.toLowerCase()}.1`;
  }

  async key(userId: string, dataKeyId: string, createIfMissing: boolean): Promise<Buffer> {
    const cacheKey = `${userId}|${dataKeyId}`;
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.expiresAt > this.#clock.now().getTime()) {
      this.stats.cacheHits += 1;
      return cached.key;
    }
    const pending = this.#pending.get(cacheKey);
    if (pending) return pending;
    const loading = this.#load(userId, dataKeyId, createIfMissing).finally(() =>
      this.#pending.delete(cacheKey),
    );
    this.#pending.set(cacheKey, loading);
    const key = await loading;
    this.#cache.set(cacheKey, { key, expiresAt: this.#clock.now().getTime() + this.#ttlMs });
    return key;
  }

  async #load(userId: string, dataKeyId: string, createIfMissing: boolean): Promise<Buffer> {
    const stored = await this.#keys.read(dataKeyId, userId);
    if (stored) {
      this.stats.unwraps += 1;
      return Buffer.from(await this.#wrapper.unwrapKey(stored.value.wrappedKey));
    }
    if (!createIfMissing)
      throw new AppError('key-unwrap-failed', 'the data key of this record no longer exists');
    const key = randomBytes(32);
    this.stats.wraps += 1;
    const wrappedKey = await this.#wrapper.wrapKey(key);
    try {
      await this.#keys.create({
        id: dataKeyId,
        userId,
        wrappedKey,
        createdAt: this.#clock.now().toISOString(),
      });
      return key;
    } catch (error) {
      // Another worker made the key first: use theirs.
      if (!hasErrorCode(error, 'already-exists')) throw error;
      return this.#load(userId, dataKeyId, false);
    }
  }
}

/** Seals and opens values with the users' data keys. */
export class EnvelopeCipher {
  readonly #ring: DataKeyRing;

  constructor(ring: DataKeyRing) {
    this.#ring = ring;
  }

  async seal(userId: string, recordId: string, value: unknown): Promise<Sealed> {
    const dataKeyId = DataKeyRing.currentKeyId(userId);
    const key = await this.#ring.key(userId, dataKeyId, true);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(recordId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return {
      alg: 'A256GCM',
      dataKeyId,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /** Opens a sealed value; a wrong record id, a changed byte or a wrong key fails as `key-unwrap-failed`. */
  async open<T>(userId: string, recordId: string, sealed: Sealed, schema: z.ZodType<T>): Promise<T> {
    const key = await this.#ring.key(userId, sealed.dataKeyId, false);
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(recordId, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      plaintext = Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new AppError('key-unwrap-failed', 'a sealed value does not open: wrong record, key or bytes', {
        cause: error,
      });
    }
    const parsed = schema.safeParse(JSON.parse(plaintext));
    if (!parsed.success) throw new AppError('input-invalid', 'a sealed value does not match its schema');
    return parsed.data;
  }
}
