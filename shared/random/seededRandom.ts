/**
 * Seeded pseudo-random numbers for what must be replayable from a seed: the simulators' injected
 * faults and the Graph adapter's retry jitter. Not for anything secret: use `node:crypto` there.
 */

/** Murmur3's 32-bit finalizer: spreads every input bit over the output. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of the stream `name` under `seed` (FNV-1a over both, then mixed): streams do not overlap. */
export function streamSeed(seed: number, name: string): number {
  let hash = 0x811c_9dc5;
  for (const char of `${seed >>> 0}/${name}`) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x0100_0193);
  }
  return mix32(hash);
}

/** Mulberry32 (Tommy Ettinger's 32-bit generator): `next()` gives numbers in [0, 1). */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b_79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** True with probability `rate`. Always draws, so that a rate of 0 or 1 does not shift what follows. */
  chance(rate: number): boolean {
    return this.next() < rate;
  }
}

/** A draw in [0, 1) from `seed` on each call: the retry jitter's source. */
export function seededJitter(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
