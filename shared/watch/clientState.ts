import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const version = 'v1';

/**
 * The `clientState` of every subscription: the user it watches, a random nonce, and an HMAC over
 * tenant, user and nonce. A notification's clientState verifies against the tenant it names without a
 * database read, in constant time, and yields the user, which lifecycle notifications do not name
 * otherwise. It cannot be forged without the secret. `v1.{userId}.{nonce}.{mac}` stays under
 * Graph's 128 characters for any directory object id (a GUID: 106 characters).
 */
export class ClientStateSigner {
  readonly #secret: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.length < 32) throw new Error('the clientState secret must be at least 32 bytes');
    this.#secret = Buffer.from(secret);
  }

  #mac(tenantId: string, userId: string, nonce: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`${version}|${tenantId.toLowerCase()}|${userId.toLowerCase()}|${nonce}`)
      .digest();
  }

  create(tenantId: string, userId: string): string {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(userId))
      throw new Error('clientState: the user id must be a directory object id');
    const nonce = randomBytes(16).toString('base64url');
    return `${version}.${userId.toLowerCase()}.${nonce}.${this.#mac(tenantId, userId, nonce).toString('base64url')}`;
  }

  /** The user the clientState was made for, when it verifies for this tenant; otherwise undefined. */
  verify(clientState: string | null | undefined, tenantId: string): string | undefined {
    if (typeof clientState !== 'string' || clientState.length > 128) return undefined;
    const [prefix, userId, nonce, mac, extra] = clientState.split('.');
    if (prefix !== version || !userId || !nonce || !mac || extra !== undefined) return undefined;
    const expected = this.#mac(tenantId, userId, nonce);
    const presented = Buffer.from(mac, 'base64url');
    return presented.length === expected.length && timingSafeEqual(presented, expected) ? userId : undefined;
  }
}
