import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/**
 * The form session the onboarding pages hand to an administrator who finished consent:
 * `base64url(JSON).base64url(HMAC-SHA256)`. Unlike the OAuth `state` (`shared/auth/singleUseStates.ts`)
 * it is stateless and used many times within its hour, so nothing of it is stored.
 */
export class OnboardingSessionSigner {
  readonly #secret: Buffer;

  constructor(secret: Uint8Array) {
    // A key of its own, derived from the given secret, so a session never doubles as anything else.
    this.#secret = createHmac('sha256', Buffer.from(secret)).update('onboarding-session').digest();
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`hybrid-calendar onboarding session|${payload}`)
      .digest();
  }

  sign(value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** The signed value, or undefined when the token is malformed or forged. */
  verify<T>(token: string, schema: z.ZodType<T>): T | undefined {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(mac))
      return undefined;
    const expected = this.#mac(payload);
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
