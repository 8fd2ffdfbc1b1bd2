import { AppError } from '../errors.js';

/** The only algorithm used to wrap data keys: RSA-OAEP with SHA-256. */
export const keyWrapAlgorithm = 'RSA-OAEP-256';

/**
 * A data key wrapped by the key-encryption key. `keyId` names the exact key version that wrapped it,
 * so that after a rotation old data keys still unwrap with the old version.
 */
export interface WrappedKey {
  keyId: string;
  algorithm: typeof keyWrapAlgorithm;
  /** The wrapped bytes, base64url. */
  wrapped: string;
}

/**
 * Wraps and unwraps data keys with a key-encryption key that never leaves its vault (Key Vault in
 * Azure, a local file in the local stack). Failures: `key-unwrap-failed` (wrong key, tampered bytes,
 * unknown version), `throttled`, `dependency-unavailable`.
 */
export interface KeyWrapper {
  wrapKey(dataKey: Uint8Array): Promise<WrappedKey>;
  unwrapKey(wrappedKey: WrappedKey): Promise<Uint8Array>;
  checkHealth(): Promise<void>;
}

/** Wraps and unwraps a random probe: proves the key exists and this identity may use it. */
export async function verifyKeyRoundTrip(wrapper: Pick<KeyWrapper, 'wrapKey' | 'unwrapKey'>): Promise<void> {
  const probe = crypto.getRandomValues(new Uint8Array(32));
  const unwrapped = await wrapper.unwrapKey(await wrapper.wrapKey(probe));
  if (!Buffer.from(unwrapped).equals(Buffer.from(probe))) {
    throw new AppError('key-unwrap-failed', 'health probe: unwrapped key differs from the probe');
  }
}
