import { z } from 'zod';
import { SeededRandom, streamSeed } from '../shared/random/seededRandom.js';

export { SeededRandom, streamSeed };

/**
 * Seeded pseudo-random numbers for the simulators' injected faults, so that a failing run can be
 * replayed: the same seed and the same sequence of requests fail the same requests.
 * Not for anything secret: use `node:crypto` there.
 */

/** A seed is an unsigned 32-bit integer. */
export const seedSchema = z.number().int().min(0).max(0xffff_ffff);

/** The seed the local stack and the tests use unless told otherwise: runs are reproducible by default. */
export const defaultFaultSeed = 1;

/**
 * Reads a seed from an environment variable: absent or empty gives `fallback`; anything but a
 * decimal integer from 0 to 4294967295 throws an error that names the variable.
 */
export function seedFromEnv(env: NodeJS.ProcessEnv, key: string, fallback = defaultFaultSeed): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parsed = seedSchema.safeParse(/^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN);
  if (!parsed.success) throw new Error(`${key} must be an integer from 0 to 4294967295, got "${raw}"`);
  return parsed.data;
}

/**
 * Independent generators derived from one seed, one per named stream (e.g. `graph.throttle`,
 * `webex.serverError`): a draw added to one stream does not shift another's sequence. `reseed`
 * starts every stream again from a new seed.
 */
export class RandomStreams {
  #seed: number;
  readonly #streams = new Map<string, SeededRandom>();

  constructor(seed: number = defaultFaultSeed) {
    this.#seed = seedSchema.parse(seed);
  }

  get seed(): number {
    return this.#seed;
  }

  reseed(seed: number): void {
    this.#seed = seedSchema.parse(seed);
    this.#streams.clear();
    this.#keyedCounts.clear();
  }

  readonly #keyedCounts = new Map<string, number>();

  /**
   * A draw that depends only on the seed, the stream, a key and how often that key was drawn
   * before: the 3rd `GET event` of Alice's mailbox meets the same fault whatever other mailboxes
   * did meanwhile, so concurrent work replays as far as its order within one key allows.
   */
  chanceFor(name: string, key: string, rate: number): boolean {
    const counted = `${name}\u0000${key}`;
    const nth = this.#keyedCounts.get(counted) ?? 0;
    this.#keyedCounts.set(counted, nth + 1);
    return new SeededRandom(streamSeed(this.#seed, `${name}/${key}/${nth}`)).chance(rate);
  }

  stream(name: string): SeededRandom {
    let stream = this.#streams.get(name);
    if (!stream) {
      stream = new SeededRandom(streamSeed(this.#seed, name));
      this.#streams.set(name, stream);
    }
    return stream;
  }
}
