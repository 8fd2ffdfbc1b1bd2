import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { hasErrorCode } from '../errors.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';

/** A sign-in flow's `state` lives this long: Entra's authorization codes live about as long. */
export const stateLifetimeMs = 10 * 60_000;

const stateDocumentSchema = z.object({
  id: z.string().min(1),
  /** Which flow issued it (`connect`, `onboarding`): a state of one flow never completes another. */
  purpose: z.string().min(1),
  /** What the flow needs back at its callback (the PKCE verifier); never an e-mail address. */
  payload: z.record(z.string(), z.string()),
  /**
   * The tenant the state is for, when the flow knows it already: offboarding finds its states by it.
   * States issued before the field existed (at most 10 minutes old at a deployment) read as none.
   */
  tenantId: z.string().min(1).nullable().default(null),
  expiresAt: z.iso.datetime(),
  consumedAt: z.iso.datetime().nullable(),
  ttl: z.number().int().positive(),
});
export type StateDocument = z.infer<typeof stateDocumentSchema>;

export const singleUseStates: CollectionDefinition<StateDocument> = {
  ...containerLayouts.singleUseStates,
  schema: stateDocumentSchema,
};

/** Why a presented state is refused: all say "start again", none changes anything. */
export type StateRefusal = 'forged' | 'expired' | 'replayed';

export type ConsumedState =
  | { ok: true; payload: Record<string, string>; tenantId: string | null }
  | { ok: false; refusal: StateRefusal };

/**
 * Signed, single-use, expiring OAuth `state` values of every sign-in flow (connect your calendar,
 * tenant onboarding): `v1.{nonce}.{expiry}.{mac}`, an HMAC over purpose, nonce and expiry. The
 * document behind it holds what the callback needs and is consumed with a conditional write, so a
 * state completes one callback at most, even when two race.
 */
export class SignedSingleUseStates {
  readonly #secret: Buffer;
  readonly #states: DocumentCollection<StateDocument>;
  readonly #clock: Clock;

  constructor(options: { secret: Uint8Array; states: DocumentCollection<StateDocument>; clock: Clock }) {
    // A key of its own, derived from the given secret, so a state never doubles as anything else.
    this.#secret = createHmac('sha256', Buffer.from(options.secret))
      .update('signed-single-use-state')
      .digest();
    this.#states = options.states;
    this.#clock = options.clock;
  }

  #mac(purpose: string, nonce: string, expirySeconds: string): Buffer {
    return createHmac('sha256', this.#secret).update(`v1|${purpose}|${nonce}|${expirySeconds}`).digest();
  }

  async issue(
    purpose: string,
    payload: Record<string, string>,
    tenantId: string | null = null,
  ): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    const expiresAtMs = this.#clock.now().getTime() + stateLifetimeMs;
    const expirySeconds = String(Math.floor(expiresAtMs / 1000));
    await this.#states.create({
      id: nonce,
      purpose,
      payload,
      tenantId,
      expiresAt: new Date(Number(expirySeconds) * 1000).toISOString(),
      consumedAt: null,
      ttl: Math.ceil(stateLifetimeMs / 1000) + 60,
    });
    return `v1.${nonce}.${expirySeconds}.${this.#mac(purpose, nonce, expirySeconds).toString('base64url')}`;
  }

  /** Verifies and consumes a presented state; only the first consumer of a valid state gets its payload. */
  async consume(purpose: string, presented: string | null | undefined): Promise<ConsumedState> {
    if (typeof presented !== 'string' || presented.length > 200) return { ok: false, refusal: 'forged' };
    const [version, nonce, expirySeconds, mac, extra] = presented.split('.');
    if (
      version !== 'v1' ||
      !nonce ||
      !expirySeconds ||
      !mac ||
      extra !== undefined ||
      !/^\d{1,12}$/.test(expirySeconds)
    )
      return { ok: false, refusal: 'forged' };
    const expected = this.#mac(purpose, nonce, expirySeconds);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, refusal: 'forged' };
    const now = this.#clock.now();
    if (Number(expirySeconds) * 1000 <= now.getTime()) return { ok: false, refusal: 'expired' };
    const stored = await this.#states.read(nonce, nonce);
    if (!stored || stored.value.purpose !== purpose) return { ok: false, refusal: 'forged' };
    if (stored.value.consumedAt) return { ok: false, refusal: 'replayed' };
    try {
      // The payload (a PKCE verifier) goes with the consumption: nothing of it outlives its one use.
      await this.#states.replace(
        { ...stored.value, payload: {}, consumedAt: now.toISOString() },
        { ifMatch: stored.etag },
      );
    } catch (error) {
      // Someone consumed it between the read and the write.
      if (hasErrorCode(error, 'precondition-failed')) return { ok: false, refusal: 'replayed' };
      throw error;
    }
    return { ok: true, payload: stored.value.payload, tenantId: stored.value.tenantId };
  }
}
