/**
 * Where "now" comes from. Everything that compares times (schedules, lock times, token lifetimes,
 * expiries, TTLs, retry pauses, timers) reads the one `Clock` it was given, so that tests and the
 * local stack can move all of them together and nothing depends on the day a test runs.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for unit tests, where nothing else may move time. */
export class ManualClock implements Clock {
  #epochMs: number;

  constructor(start: Date | string) {
    this.#epochMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#epochMs);
  }

  advanceBy(ms: number): void {
    this.#epochMs += ms;
  }

  set(to: Date | string): void {
    this.#epochMs = new Date(to).getTime();
  }
}

/**
 * Real time plus an offset that only grows: the local stack's one clock, shared by the service, the
 * in-process bus, the local host's timers and the simulators, so that "a day later" is a day later
 * for all of them at once.
 */
export class AdjustableClock implements Clock {
  #offsetMs = 0;
  readonly #base: Clock;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): Date {
    return new Date(this.#base.now().getTime() + this.#offsetMs);
  }

  /** How far this clock is ahead of real time. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  advanceBy(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward');
    this.#offsetMs += ms;
  }
}
