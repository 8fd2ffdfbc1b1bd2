import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/time/clock.js';

/**
 * Paged results the way Graph pages them: the first request takes a snapshot, `@odata.nextLink`
 * carries a skip token that names it, so later pages are consistent even while data changes.
 */
export class PageSnapshots {
  readonly #snapshots = new Map<
    string,
    { items: unknown[]; tail: Record<string, unknown>; createdMs: number }
  >();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Returns one page; `tail` (e.g. a deltaLink) is added to the last page only. */
  page(
    items: unknown[],
    pageSize: number,
    nextLinkFor: (skipToken: string) => string,
    tail: Record<string, unknown> = {},
  ): Record<string, unknown> {
    this.#evictOld();
    if (items.length <= pageSize) return { value: items, ...tail };
    const token = randomBytes(18).toString('base64url');
    this.#snapshots.set(token, {
      items: items.slice(pageSize),
      tail,
      createdMs: this.#clock.now().getTime(),
    });
    return { value: items.slice(0, pageSize), '@odata.nextLink': nextLinkFor(token) };
  }

  /** The next page of a snapshot, or undefined when the token is unknown or expired. */
  next(
    token: string,
    pageSize: number,
    nextLinkFor: (skipToken: string) => string,
  ): Record<string, unknown> | undefined {
    const snapshot = this.#snapshots.get(token);
    if (!snapshot) return undefined;
    this.#snapshots.delete(token);
    return this.page(snapshot.items, pageSize, nextLinkFor, snapshot.tail);
  }

  #evictOld(): void {
    const cutoff = this.#clock.now().getTime() - 15 * 60_000;
    for (const [token, snapshot] of this.#snapshots) {
      if (snapshot.createdMs < cutoff) this.#snapshots.delete(token);
    }
  }
}
