import type { Clock } from '../time/clock.js';

/** Why the webhook dropped a notification. */
export type DropKind = 'forged' | 'malformed';

/** The per-tenant drops of one minute, as logged in its summary line. */
export type DropTally = Record<string, Record<DropKind, number>>;

const tenantIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tenants named in one minute's tally; more are counted together, so a flood cannot grow memory. */
const maxTenantsPerWindow = 100;

/**
 * Counts forged and malformed webhook traffic per tenant and says so once a minute, not once a
 * request: a sender flooding the webhook would otherwise flood the logs. The minute follows the
 * service's Clock; its line is handed out with the first drop after it ends (a quiet webhook owes
 * no line). Tenant ids come from the sender, so only GUIDs are named and only a hundred per minute.
 */
export class DroppedNotificationSummary {
  readonly #clock: Clock;
  readonly #windowMs: number;
  #windowStartMs: number | undefined;
  #tally = new Map<string, Record<DropKind, number>>();

  constructor(clock: Clock, windowMs = 60_000) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /**
   * Counts `count` drops for the tenant a notification named (`undefined` when the body named none).
   * Returns the summary line of the minute that just ended, once, when this drop starts a new one.
   */
  record(tenantId: string | undefined, kind: DropKind, count = 1): string | undefined {
    const nowMs = this.#clock.now().getTime();
    let line: string | undefined;
    if (this.#windowStartMs === undefined || nowMs >= this.#windowStartMs + this.#windowMs) {
      line = this.#windowStartMs === undefined ? undefined : this.#summaryLine();
      this.#windowStartMs = nowMs;
      this.#tally = new Map();
    }
    const key = this.#tenantKey(tenantId);
    const counts = this.#tally.get(key) ?? { forged: 0, malformed: 0 };
    counts[kind] += count;
    this.#tally.set(key, counts);
    return line;
  }

  /** The current minute's drops per tenant (for the admin metrics and tests). */
  tally(): DropTally {
    return Object.fromEntries([...this.#tally].map(([tenant, counts]) => [tenant, { ...counts }]));
  }

  #tenantKey(tenantId: string | undefined): string {
    if (tenantId === undefined) return '(none)';
    if (!tenantIdPattern.test(tenantId)) return '(not a tenant id)';
    const key = tenantId.toLowerCase();
    if (!this.#tally.has(key) && this.#tally.size >= maxTenantsPerWindow) return '(other tenants)';
    return key;
  }

  #summaryLine(): string | undefined {
    if (this.#tally.size === 0 || this.#windowStartMs === undefined) return undefined;
    const parts = [...this.#tally]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tenant, counts]) => `${tenant}: ${counts.forged} forged, ${counts.malformed} malformed`);
    const since = new Date(this.#windowStartMs).toISOString();
    return `dropped webhook notifications in the minute from ${since}: ${parts.join('; ')}`;
  }
}
