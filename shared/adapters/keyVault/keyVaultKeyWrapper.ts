import { isRestError } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient } from '@azure/keyvault-keys';
import { AppError } from '../../errors.js';
import {
  type KeyWrapper,
  keyWrapAlgorithm,
  verifyKeyRoundTrip,
  type WrappedKey,
} from '../../keys/keyWrapping.js';

/** Maps a Key Vault failure to the service's typed errors. */
export function toKeyVaultError(error: unknown, action: string): AppError {
  if (error instanceof AppError) return error;
  if (isRestError(error)) {
    const status = error.statusCode ?? 0;
    if (status === 429)
      return new AppError('throttled', `${action}: Key Vault is throttling`, { cause: error });
    // 400: bytes that do not unwrap; 403/404: a key version this identity cannot use or that is gone.
    if (status === 400 || status === 403 || status === 404) {
      return new AppError('key-unwrap-failed', `${action}: Key Vault refused (${status})`, { cause: error });
    }
  }
  return new AppError('dependency-unavailable', `${action}: Key Vault failed`, { cause: error });
}

/**
 * Key wrapping with an Azure Key Vault RSA key. Wrapping uses the configured key id (normally
 * versionless, so the newest version wraps); unwrapping uses the exact version recorded with the
 * wrapped key, which is what makes rotation safe.
 */
export class KeyVaultKeyWrapper implements KeyWrapper {
  readonly #keyId: string;
  readonly #credential: TokenCredential;
  readonly #clients = new Map<string, CryptographyClient>();

  constructor(keyId: string, credential: TokenCredential) {
    this.#keyId = keyId;
    this.#credential = credential;
  }

  #client(keyId: string): CryptographyClient {
    let client = this.#clients.get(keyId);
    if (!client) {
      client = new CryptographyClient(keyId, this.#credential);
      this.#clients.set(keyId, client);
    }
    return client;
  }

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    try {
      const result = await this.#client(this.#keyId).wrapKey(keyWrapAlgorithm, dataKey);
      if (!result.keyID)
        throw new AppError('dependency-unavailable', 'wrap key: Key Vault named no key version');
      return {
        keyId: result.keyID,
        algorithm: keyWrapAlgorithm,
        wrapped: Buffer.from(result.result).toString('base64url'),
      };
    } catch (error) {
      throw toKeyVaultError(error, 'wrap key');
    }
  }

  async unwrapKey(wrappedKey: WrappedKey): Promise<Uint8Array> {
    try {
      const result = await this.#client(wrappedKey.keyId).unwrapKey(
        wrappedKey.algorithm,
        Buffer.from(wrappedKey.wrapped, 'base64url'),
      );
      return result.result;
    } catch (error) {
      throw toKeyVaultError(error, 'unwrap key');
    }
  }

  /** A wrap and unwrap of a random probe: proves the key exists and the identity may use it. */
  async checkHealth(): Promise<void> {
    await verifyKeyRoundTrip(this);
  }
}
