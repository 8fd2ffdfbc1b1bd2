import { isCalendarServiceError } from '../../calendar/calendarServiceError.js';
import { hasErrorCode, isTransient } from '../../errors.js';
import type { MailboxTestFailure, TenantDirectory } from '../../onboarding/ports.js';
import type { Clock } from '../../time/clock.js';
import type { CalendarGateway } from './calendarGateway.js';

/** The test event: a quarter of an hour a day ahead, free, no reminder, no attendees (so no mail). */
function testEvent(clock: Clock): Record<string, unknown> {
  const start = new Date(clock.now().getTime() + 24 * 3_600_000);
  const end = new Date(start.getTime() + 15 * 60_000);
  const graphTime = (date: Date) => ({ dateTime: date.toISOString().slice(0, 19), timeZone: 'UTC' });
  return {
    subject: 'hybrid-calendar connection test',
    body: { contentType: 'text', content: 'A test by hybrid-calendar onboarding; it is deleted at once.' },
    start: graphTime(start),
    end: graphTime(end),
    showAs: 'free',
    isReminderOn: false,
  };
}

/** Why Exchange refused, from Graph's own error code. */
function mailboxFailureOf(error: unknown): { failure: MailboxTestFailure; detail: string } | undefined {
  if (!isCalendarServiceError(error) || isTransient(error)) return undefined;
  if (error.serviceCode === 'MailboxNotEnabledForRESTAPI' || error.code === 'mailbox-gone') {
    return {
      failure: 'not-licensed',
      detail:
        'The user has no Exchange Online mailbox (not licensed for Exchange Online, inactive, or on-premises).',
    };
  }
  if (error.serviceCode === 'ErrorAccessDenied') {
    return {
      failure: 'blocked-by-policy',
      detail:
        'Exchange refused the application access to this mailbox (ErrorAccessDenied: an application access policy blocks it).',
    };
  }
  if (error.code === 'not-found')
    return { failure: 'not-found', detail: 'No user with this principal name in the tenant.' };
  return { failure: 'refused', detail: `Graph refused the test (${error.serviceCode}).` };
}

/** The tenant directory on the Graph gateway, with the app's own (app-only) permissions. */
export class GraphTenantDirectory implements TenantDirectory {
  readonly #gateway: CalendarGateway;
  readonly #clock: Clock;

  constructor(gateway: CalendarGateway, clock: Clock) {
    this.#gateway = gateway;
    this.#clock = clock;
  }

  async domains(tenantId: string): Promise<string[]> {
    return (await this.#gateway.listDomains(tenantId)).map((domain) => domain.id);
  }

  async findUserId(tenantId: string, userPrincipalName: string): Promise<string | undefined> {
    try {
      return (await this.#gateway.getUser(tenantId, userPrincipalName)).id;
    } catch (error) {
      if (hasErrorCode(error, 'not-found') || hasErrorCode(error, 'input-invalid')) return undefined;
      throw error;
    }
  }

  async usersWithMailbox(tenantId: string): Promise<string[]> {
    return (await this.#gateway.listUsersWithMailbox(tenantId)).map((user) => user.id);
  }

  async groupUserIds(tenantId: string, groupId: string): Promise<string[] | undefined> {
    try {
      return (await this.#gateway.listGroupUsers(tenantId, groupId)).map((user) => user.id);
    } catch (error) {
      if (hasErrorCode(error, 'not-found')) return undefined;
      throw error;
    }
  }

  async testMailbox(
    tenantId: string,
    userPrincipalName: string,
  ): Promise<{ ok: true } | { ok: false; failure: MailboxTestFailure; detail: string }> {
    const userId = await this.findUserId(tenantId, userPrincipalName);
    if (!userId)
      return { ok: false, failure: 'not-found', detail: 'No user with this principal name in the tenant.' };
    const mailbox = { tenantId, userId };
    try {
      const created = await this.#gateway.createEvent(mailbox, testEvent(this.#clock));
      await this.#gateway.deleteEvent(mailbox, created.id);
      return { ok: true };
    } catch (error) {
      const failure = mailboxFailureOf(error);
      if (!failure) throw error;
      return { ok: false, ...failure };
    }
  }
}
