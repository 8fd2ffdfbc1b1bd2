import { describe, expect, it } from 'vitest';
import { RandomStreams, SeededRandom, seedFromEnv, streamSeed } from '../../../dev/seededRandom.js';

const draws = (random: { next(): number }, count: number) =>
  Array.from({ length: count }, () => random.next());

describe('seeded random numbers for injected faults', () => {
  it('when seeded, then it gives mulberry32’s published sequence, in [0, 1)', () => {
    expect(draws(new SeededRandom(1), 3)).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
    expect(draws(new SeededRandom(0xffff_ffff), 2)).toEqual([0.8964226141106337, 0.189478256739676]);
    const many = draws(new SeededRandom(7), 10_000);
    expect(Math.min(...many)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...many)).toBeLessThan(1);
    expect(many.reduce((sum, value) => sum + value, 0) / many.length).toBeCloseTo(0.5, 1);
  });

  it('when two generators share a seed, then they agree; with another seed, they differ', () => {
    expect(draws(new SeededRandom(42), 50)).toEqual(draws(new SeededRandom(42), 50));
    expect(draws(new SeededRandom(42), 50)).not.toEqual(draws(new SeededRandom(43), 50));
  });

  it('when one stream is drawn from more, then another stream’s sequence does not shift', () => {
    const quiet = new RandomStreams(5);
    const busy = new RandomStreams(5);
    draws(busy.stream('graph.throttle'), 17);

    expect(draws(busy.stream('notifications.drop'), 20)).toEqual(
      draws(quiet.stream('notifications.drop'), 20),
    );
    expect(streamSeed(5, 'graph.throttle')).not.toBe(streamSeed(5, 'graph.serverError'));
    expect(streamSeed(5, 'graph.throttle')).not.toBe(streamSeed(6, 'graph.throttle'));
  });

  it('when the streams are reseeded, then every stream starts again from the new seed', () => {
    const streams = new RandomStreams(9);
    const first = draws(streams.stream('webex.serverError'), 10);
    streams.reseed(10);
    const other = draws(streams.stream('webex.serverError'), 10);
    streams.reseed(9);

    expect(streams.seed).toBe(9);
    expect(draws(streams.stream('webex.serverError'), 10)).toEqual(first);
    expect(other).not.toEqual(first);
    expect(() => streams.reseed(-1)).toThrow();
    expect(() => new RandomStreams(1.5)).toThrow();
  });

  it('when a chance is asked with rate 0 or 1, then it still draws, so what follows does not shift', () => {
    const asked = new SeededRandom(3);
    const plain = new SeededRandom(3);
    expect(asked.chance(0)).toBe(false);
    expect(asked.chance(1)).toBe(true);
    plain.next();
    plain.next();

    expect(asked.next()).toBe(plain.next());
  });

  it('when a seed comes from the environment, then only an unsigned 32-bit integer is taken, and errors name the variable', () => {
    expect(seedFromEnv({}, 'LOCAL_FAULT_SEED')).toBe(1);
    expect(seedFromEnv({ LOCAL_FAULT_SEED: '' }, 'LOCAL_FAULT_SEED', 8)).toBe(8);
    expect(seedFromEnv({ LOCAL_FAULT_SEED: '42' }, 'LOCAL_FAULT_SEED')).toBe(42);
    expect(seedFromEnv({ LOCAL_FAULT_SEED: '4294967295' }, 'LOCAL_FAULT_SEED')).toBe(4_294_967_295);
    for (const bad of ['-1', '1.5', 'abc', '0x10', '1e3', '4294967296'])
      expect(() => seedFromEnv({ LOCAL_FAULT_SEED: bad }, 'LOCAL_FAULT_SEED')).toThrow(
        `LOCAL_FAULT_SEED must be an integer from 0 to 4294967295, got "${bad}"`,
      );
  });
});
