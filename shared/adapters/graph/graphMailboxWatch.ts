import type { MailboxRef, TenantOrMailbox, TimeWindow } from '../../calendar/mailbox.js';
import type {
  CalendarChanges,
  CalendarSubscription,
  MailboxAvailability,
  MailboxWatch,
  SubscriptionRenewal,
  SubscriptionRequest,
} from '../../calendar/mailboxWatch.js';
import { hasErrorCode } from '../../errors.js';
import type { GraphCalendarGateway } from './graphCalendarGateway.js';
import {
  availabilityFromBatchResult,
  calendarChangesFromDelta,
  languageFromMailboxSettings,
  mailboxFailureFromGraph,
  mailboxProbeStep,
  renewalFromBatchResult,
  renewalStep,
  subscriptionFromGraph,
  subscriptionRequestToGraph,
} from './subscriptionMapping.js';

/** The parts of the wire-level gateway the watch rests on. */
export type WatchGateway = Pick<
  GraphCalendarGateway,
  | 'createSubscription'
  | 'renewSubscription'
  | 'reauthorizeSubscription'
  | 'deleteSubscription'
  | 'listSubscriptions'
  | 'getMailboxSettings'
  | 'calendarDelta'
  | 'batch'
>;

/**
 * The watch port on Microsoft Graph. The gateway sends, retries and parses; this adapter speaks for
 * the watch: resource paths, `$batch` steps (20 a request, done by the gateway), and what Graph's
 * answers mean for a watched mailbox.
 */
export class GraphMailboxWatch implements MailboxWatch {
  readonly #gateway: WatchGateway;

  constructor(gateway: WatchGateway) {
    this.#gateway = gateway;
  }

  async subscribe(request: SubscriptionRequest): Promise<CalendarSubscription> {
    try {
      const created = await this.#gateway.createSubscription(
        request.mailbox,
        subscriptionRequestToGraph(request),
      );
      return subscriptionFromGraph(created);
    } catch (error) {
      throw mailboxFailureFromGraph(error);
    }
  }

  async renew(
    owner: TenantOrMailbox,
    subscriptionId: string,
    expiresAt: Date,
  ): Promise<CalendarSubscription> {
    return subscriptionFromGraph(await this.#gateway.renewSubscription(owner, subscriptionId, expiresAt));
  }

  async renewAll(
    owner: TenantOrMailbox,
    subscriptionIds: readonly string[],
    expiresAt: Date,
  ): Promise<Map<string, SubscriptionRenewal>> {
    const unique = [...new Set(subscriptionIds)];
    const answers = await this.#gateway.batch(
      owner,
      unique.map((subscriptionId) => renewalStep(subscriptionId, expiresAt)),
    );
    return new Map(unique.map((id) => [id, renewalFromBatchResult(answers.get(id))]));
  }

  async reauthorize(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    await this.#gateway.reauthorizeSubscription(owner, subscriptionId);
  }

  async unsubscribe(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    try {
      await this.#gateway.deleteSubscription(owner, subscriptionId);
    } catch (error) {
      if (!hasErrorCode(error, 'not-found')) throw error;
    }
  }

  async subscriptions(owner: TenantOrMailbox): Promise<CalendarSubscription[]> {
    try {
      return (await this.#gateway.listSubscriptions(owner)).map(subscriptionFromGraph);
    } catch (error) {
      throw mailboxFailureFromGraph(error);
    }
  }

  async mailboxAvailability(
    owner: TenantOrMailbox,
    userIds: readonly string[],
  ): Promise<Map<string, MailboxAvailability>> {
    const unique = [...new Set(userIds)];
    const answers = await this.#gateway.batch(owner, unique.map(mailboxProbeStep));
    return new Map(unique.map((userId) => [userId, availabilityFromBatchResult(answers.get(userId))]));
  }

  async mailboxLanguage(mailbox: MailboxRef): Promise<string | undefined> {
    return languageFromMailboxSettings(await this.#gateway.getMailboxSettings(mailbox));
  }

  async calendarChanges(
    mailbox: MailboxRef,
    since: { window: TimeWindow } | { deltaLink: string },
  ): Promise<CalendarChanges> {
    try {
      return calendarChangesFromDelta(await this.#gateway.calendarDelta(mailbox, since));
    } catch (error) {
      throw mailboxFailureFromGraph(error);
    }
  }
}
