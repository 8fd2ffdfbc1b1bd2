/**
 * In-process counters for what the logs must not carry in detail: dropped notifications, renewals,
 * retries. Named `area.event`; read through the admin API and the logs' periodic totals.
 */
export class Counters {
  readonly #values = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
