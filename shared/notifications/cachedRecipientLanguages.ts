import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import type { MailboxWatch } from '../calendar/mailboxWatch.js';
import { keyOf } from '../meetings/meetingRecord.js';
import type { Clock } from '../time/clock.js';
import type { RecipientLanguages } from './joinNotifier.js';

const lifetimeMs = 3_600_000;
/** Bounded: the oldest entries go first once this many are held. */
const maxEntries = 10_000;

/**
 * A recipient's language from their mailbox settings (Graph accepts the address in place of the
 * object id), remembered for an hour per instance. People outside the tenant have no mailbox here:
 * undefined, and the tenant's default applies.
 */
export class CachedRecipientLanguages implements RecipientLanguages {
  readonly #mailboxes: Pick<MailboxWatch, 'mailboxLanguage'>;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { locale: string | undefined; expiresAt: number }>();

  constructor(mailboxes: Pick<MailboxWatch, 'mailboxLanguage'>, clock: Clock) {
    this.#mailboxes = mailboxes;
    this.#clock = clock;
  }

  async localeOf(tenantId: string, address: string): Promise<string | undefined> {
    const key = keyOf(`${tenantId}|${address.toLowerCase()}`);
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > now) return cached.locale;
    let locale: string | undefined;
    try {
      locale = await this.#mailboxes.mailboxLanguage({ tenantId, userId: address.toLowerCase() });
    } catch (error) {
      if (!isCalendarServiceError(error)) throw error;
      locale = undefined;
    }
    this.#cache.delete(key);
    this.#cache.set(key, { locale, expiresAt: now + lifetimeMs });
    if (this.#cache.size > maxEntries) this.#cache.delete(this.#cache.keys().next().value ?? '');
    return locale;
  }
}
