import { z } from 'zod';
import {
  type DelegatedAccount,
  type DelegatedTokenCacheStore,
  ReauthorizationRequiredError,
} from '../calendar/tokenProvider.js';
import { type EnvelopeCipher, type Sealed, sealedSchema } from '../crypto/envelopeEncryption.js';
import { hasErrorCode } from '../errors.js';
import { writeConditionally } from '../store/conditionalWrite.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';

/** A connected user's MSAL token cache: the account in clear (ids only), the cache sealed. */
const tokenCacheDocumentSchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  tenantId: z.string().min(1),
  homeAccountId: z.string().min(1),
  cache: sealedSchema,
  /** The user principal name for the reconnect link, sealed like the cache. */
  loginHint: sealedSchema.nullable().default(null),
  updatedAt: z.iso.datetime(),
});
type TokenCacheDocument = z.infer<typeof tokenCacheDocumentSchema>;

export const tokenCaches: CollectionDefinition<TokenCacheDocument> = {
  ...containerLayouts.tokenCaches,
  schema: tokenCacheDocumentSchema,
};

function removed(): ReauthorizationRequiredError {
  return new ReauthorizationRequiredError('token cache: the user’s tokens were removed', []);
}

/** The associated data of a sealed cache: it opens only as this user's token cache. */
function sealedAs(userId: string): string {
  return `tokenCache:${userId}`;
}

function loginHintSealedAs(userId: string): string {
  return `tokenCache:${userId}:loginHint`;
}

/**
 * Connected users' token caches in Cosmos DB, sealed with the user's data key (AES-256-GCM, the
 * envelope encryption of the meeting records) before they reach the store: a cache holds refresh
 * tokens, and nothing of it is readable in the document.
 */
export class SealedTokenCaches implements DelegatedTokenCacheStore {
  readonly #documents: DocumentCollection<TokenCacheDocument>;
  readonly #cipher: EnvelopeCipher;
  readonly #clock: Clock;

  constructor(options: {
    documents: DocumentCollection<TokenCacheDocument>;
    cipher: EnvelopeCipher;
    clock: Clock;
  }) {
    this.#documents = options.documents;
    this.#cipher = options.cipher;
    this.#clock = options.clock;
  }

  /** The account a user connected with, when they did. */
  async account(userId: string): Promise<DelegatedAccount | undefined> {
    const id = userId.toLowerCase();
    const stored = await this.#documents.read(id, id);
    if (!stored) return undefined;
    return { userId: id, tenantId: stored.value.tenantId, homeAccountId: stored.value.homeAccountId };
  }

  async load(userId: string): Promise<string | undefined> {
    const id = userId.toLowerCase();
    const stored = await this.#documents.read(id, id);
    if (!stored) return undefined;
    return this.#cipher.open(id, sealedAs(id), stored.value.cache, z.string());
  }

  /**
   * Stores a user's cache. Only connecting (an account with its login hint) creates the document; a
   * refresh replaces the document it read, on its etag, so a purge that removed it meanwhile is
   * never undone: the refresh is then refused and the user has to connect again.
   */
  async save(account: DelegatedAccount, serializedCache: string): Promise<void> {
    const id = account.userId.toLowerCase();
    const documentWith = (loginHint: Sealed | null, cache: Sealed): TokenCacheDocument => ({
      id,
      userId: id,
      tenantId: account.tenantId.toLowerCase(),
      homeAccountId: account.homeAccountId,
      cache,
      loginHint,
      updatedAt: this.#clock.now().toISOString(),
    });
    if (account.loginHint) {
      const loginHint = await this.#cipher.seal(id, loginHintSealedAs(id), account.loginHint);
      await this.#documents.upsert(
        documentWith(loginHint, await this.#cipher.seal(id, sealedAs(id), serializedCache)),
      );
      return;
    }
    const cache = await this.#cipher.seal(id, sealedAs(id), serializedCache);
    // Another writer (a refresh elsewhere, a reconnect) may win in between: the loop reads again.
    try {
      await writeConditionally(
        this.#documents,
        { id, partitionKey: id },
        (current) => {
          if (!current) throw removed();
          return documentWith(current.loginHint, cache);
        },
        { attempts: 3, what: 'token cache' },
      );
    } catch (error) {
      // Removed between the read and the write.
      if (hasErrorCode(error, 'not-found')) throw removed();
      throw error;
    }
  }

  /** The user principal name the user connected with, for their reconnect link. */
  async loginHint(userId: string): Promise<string | undefined> {
    const id = userId.toLowerCase();
    const sealed = (await this.#documents.read(id, id))?.value.loginHint;
    return sealed ? this.#cipher.open(id, loginHintSealedAs(id), sealed, z.string()) : undefined;
  }

  /** Forgets a user's tokens; false when there were none. */
  async remove(userId: string): Promise<boolean> {
    const id = userId.toLowerCase();
    return this.#documents.delete(id, id);
  }
}
