/** Where "now" comes from, so that retry schedules, expiries and windows can be tested. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests and for the local stack's time travel. */
export class ManualClock implements Clock {
  #epochMs: number;

  constructor(start: Date | string = new Date()) {
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
