import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import {
  type KeyWrapper,
  keyWrapAlgorithm,
  verifyKeyRoundTrip,
  type WrappedKey,
} from '../shared/keys/keyWrapping.js';

const keyIdPrefix = 'local://hybrid-calendar/keys/data-key-wrapping/';

const keyFileSchema = z.object({
  /** Oldest first; the last one wraps new keys. Older versions stay to unwrap what they wrapped. */
  versions: z
    .array(z.object({ version: z.string().regex(/^[0-9a-f]{16}$/), privateKeyPem: z.string() }))
    .min(1),
});
type KeyFile = z.infer<typeof keyFileSchema>;

function newVersion(): KeyFile['versions'][number] {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const version = createPublicKey(privateKey)
    .export({ type: 'spki', format: 'der' })
    .subarray(-8)
    .toString('hex');
  return { version, privateKeyPem };
}

/**
 * The local stand-in for Key Vault: an RSA key-encryption key in a file under `.local/`, created on
 * first use, with the same RSA-OAEP-256 wrapping and versioned key ids. Never used in Azure.
 */
export class LocalFileKeyWrapper implements KeyWrapper {
  readonly #file: string;
  #keys: KeyFile | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  async #load(): Promise<KeyFile> {
    if (this.#keys) return this.#keys;
    let text: string | undefined;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      this.#keys = { versions: [newVersion()] };
      await this.#save(this.#keys);
    } else {
      const parsed = keyFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success)
        throw new AppError('configuration-invalid', `LOCAL_KEY_FILE ${this.#file} is not a key file`);
      this.#keys = parsed.data;
    }
    return this.#keys;
  }

  async #save(keys: KeyFile): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(keys, null, 2), { mode: 0o600 });
    await rename(temporary, this.#file);
  }

  /** Adds a new key version that wraps from now on, as a Key Vault rotation would. */
  async rotate(): Promise<string> {
    const keys = await this.#load();
    const next = newVersion();
    this.#keys = { versions: [...keys.versions, next] };
    await this.#save(this.#keys);
    return keyIdPrefix + next.version;
  }

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    const keys = await this.#load();
    const current = keys.versions[keys.versions.length - 1];
    if (!current) throw new AppError('configuration-invalid', 'local key file has no key');
    const wrapped = publicEncrypt(
      {
        key: createPublicKey(current.privateKeyPem),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      dataKey,
    );
    return {
      keyId: keyIdPrefix + current.version,
      algorithm: keyWrapAlgorithm,
      wrapped: wrapped.toString('base64url'),
    };
  }

  async unwrapKey(wrappedKey: WrappedKey): Promise<Uint8Array> {
    const keys = await this.#load();
    const version = wrappedKey.keyId.startsWith(keyIdPrefix)
      ? wrappedKey.keyId.slice(keyIdPrefix.length)
      : undefined;
    const entry = keys.versions.find((candidate) => candidate.version === version);
    if (!entry) throw new AppError('key-unwrap-failed', 'unwrap key: unknown key version');
    try {
      return privateDecrypt(
        {
          key: createPrivateKey(entry.privateKeyPem),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: 'sha256',
        },
        Buffer.from(wrappedKey.wrapped, 'base64url'),
      );
    } catch (error) {
      throw new AppError('key-unwrap-failed', 'unwrap key: the wrapped bytes do not unwrap with this key', {
        cause: error,
      });
    }
  }

  async checkHealth(): Promise<void> {
    await verifyKeyRoundTrip(this);
  }
}
