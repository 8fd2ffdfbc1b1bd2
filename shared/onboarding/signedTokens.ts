import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/**
 * Tokens the onboarding pages hand to the browser and get back: the OAuth `state` and the form
 * session of an administrator who finished consent. `base64url(JSON).base64url(HMAC-SHA256)`; the
 * kind is part of the signed text, so a token of one kind never passes as the other.
 */
export class OnboardingTokenSigner {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  #mac(kind: string, payload: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`hybrid-calendar onboarding ${kind}|${payload}`)
      .digest();
  }

  sign(kind: 'state' | 'session', value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${this.#mac(kind, payload).toString('base64url')}`;
  }

  /** The signed value, or undefined when the token is malformed, forged, or of another kind. */
  verify<T>(kind: 'state' | 'session', token: string, schema: z.ZodType<T>): T | undefined {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(mac))
      return undefined;
    const expected = this.#mac(kind, payload);
    const presented = Buffer.from(mac, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
