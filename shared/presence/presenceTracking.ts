import { z } from 'zod';
import { cancelIfScheduled } from '../bus/messageBus.js';
import { queueNames, sessionIdForMailbox } from '../bus/queues.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { hasErrorCode, isAppError } from '../errors.js';
import { slotTimeBetween } from '../watch/reconciliation.js';
import type { PresenceContext } from './presenceContext.js';
import type { PresenceChange } from './presencePublisher.js';
import { derivePresence, type PresenceReading, upcomingBoundaries } from './presenceReading.js';
import { newPresenceDocument, type PresenceDocument } from './presenceState.js';

/** How often the poll timer runs; each run reads the users whose slot fell in the last tick. */
export const presencePollTickMs = 60_000;

/**
 * How long one poll run may spend publishing. A channel that hangs (an endpoint that answers after
 * its full timeout, attempt after attempt) would otherwise hold up every later user of the run: past
 * the budget, changes stay pending in their documents (`unpublished`) for the next writer.
 */
export const presencePublishBudgetMs = 20_000;

const budgetExpired = Symbol('budget expired');

/** Real time (publishing waits on the network, not on the service's clock) shared by one poll run. */
class PublishBudget {
  #spent = false;
  readonly #expired: Promise<typeof budgetExpired>;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#expired = new Promise((resolve) => {
      this.#timer = setTimeout(() => {
        this.#spent = true;
        resolve(budgetExpired);
      }, ms);
    });
  }

  get spent(): boolean {
    return this.#spent;
  }

  /** The work's result, or `budgetExpired` when the budget ran out first (the work goes on unawaited). */
  race<T>(work: Promise<T>): Promise<T | typeof budgetExpired> {
    return Promise.race([work, this.#expired]);
  }

  end(): void {
    clearTimeout(this.#timer);
  }
}

/** The message that has a user's presence evaluated again at an exact time (a window's start or end). */
export const presenceTransitionMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1).max(64),
  userId: z.string().min(1).max(256),
  /** The boundary this message was scheduled for (ISO 8601, UTC). */
  at: z.iso.datetime(),
});
export type PresenceTransitionMessage = z.infer<typeof presenceTransitionMessageSchema>;

function keyOf(mailbox: MailboxRef): MailboxRef {
  return { tenantId: mailbox.tenantId.toLowerCase(), userId: mailbox.userId.toLowerCase() };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Writes what is known of the user and, when the derived state differs from the stored one, the
 * transition, in one conditional write: only the writer that changes the state carries the change,
 * so a transition is published once, whoever sees it first (a poll, an exact-time message, a
 * redelivery). The change is kept as `unpublished` until the publisher took it, so a failed publish
 * is retried by the next writer rather than lost.
 */
async function settlePresence(
  context: PresenceContext,
  mailbox: MailboxRef,
  reading: PresenceReading,
  readAt: string | null,
  nowMs: number,
  scheduled: PresenceDocument['scheduled'],
  budget?: PublishBudget,
): Promise<{ replaced: PresenceDocument['scheduled']; published: PresenceChange | undefined }> {
  const derived = derivePresence(reading, nowMs);
  const now = new Date(nowMs);
  let replaced: PresenceDocument['scheduled'] = [];
  const written = await context.states.update(mailbox, (current) => {
    const base = current ?? newPresenceDocument(mailbox, now);
    replaced = base.scheduled.filter(
      (entry) => !scheduled.some((kept) => kept.sequenceNumber === entry.sequenceNumber),
    );
    const transition = derived.state !== base.state;
    if (
      current &&
      !transition &&
      sameJson(current.reading, reading) &&
      sameJson(current.scheduled, scheduled)
    )
      return undefined;
    const next: PresenceDocument = {
      ...base,
      reading: { ...reading, outOfOfficeEvents: [...reading.outOfOfficeEvents] },
      readAt: readAt ?? base.readAt,
      scheduled,
      updatedAt: now.toISOString(),
    };
    if (!transition) return next;
    const since = new Date(derived.sinceMs).toISOString();
    return {
      ...next,
      state: derived.state,
      signal: derived.signal,
      since,
      unpublished: {
        tenantId: base.tenantId,
        userId: base.userId,
        state: derived.state,
        at: since,
        signal: derived.signal,
      },
    };
  });
  const change = written?.unpublished ?? undefined;
  if (!change) return { replaced, published: undefined };
  if (budget) {
    const publishing = budget.spent ? undefined : context.publisher.publishPresence(change);
    if (!publishing || (await budget.race(publishing)) === budgetExpired) {
      // Left pending in the document; the next writer publishes it (a late success here only
      // means a repeat with the same CloudEvent id, which receivers drop).
      publishing?.catch(() => undefined);
      context.counters.increment('presence.publish-deferred');
      return { replaced, published: undefined };
    }
  } else await context.publisher.publishPresence(change);
  context.counters.increment(`presence.published.${change.state}`);
  await context.states.update(mailbox, (current) =>
    current?.unpublished && sameJson(current.unpublished, change)
      ? { ...current, unpublished: null }
      : undefined,
  );
  return { replaced, published: change };
}

async function scheduleTransition(
  context: PresenceContext,
  mailbox: MailboxRef,
  atMs: number,
): Promise<PresenceDocument['scheduled'][number]> {
  const at = new Date(atMs).toISOString();
  const body: PresenceTransitionMessage = {
    version: 1,
    tenantId: mailbox.tenantId,
    userId: mailbox.userId,
    at,
  };
  const sequenceNumber = await context.bus.schedule(
    queueNames.presenceTransitions,
    {
      body,
      messageId: `presence|${mailbox.tenantId}|${mailbox.userId}|${atMs}`,
      sessionId: sessionIdForMailbox(mailbox),
    },
    new Date(atMs),
  );
  return { at, sequenceNumber: sequenceNumber.toString() };
}

async function cancelTransitions(
  context: PresenceContext,
  entries: PresenceDocument['scheduled'],
): Promise<void> {
  for (const entry of entries) {
    if (await cancelIfScheduled(context.bus, queueNames.presenceTransitions, BigInt(entry.sequenceNumber)))
      context.counters.increment('presence.transition-cancelled');
  }
}

/**
 * A fresh reading of the user: the state derived from it now (published on a transition), and one
 * scheduled message per future boundary of its windows, so a scheduled window's start and end are
 * acted on at their exact times. Boundaries already scheduled keep their messages; those of a window
 * that moved or went are cancelled.
 */
export async function applyPresenceReading(
  context: PresenceContext,
  user: MailboxRef,
  reading: PresenceReading,
  budget?: PublishBudget,
): Promise<PresenceChange | undefined> {
  const mailbox = keyOf(user);
  const now = context.clock.now();
  const current = await context.states.find(mailbox);
  const planned = upcomingBoundaries(reading, now.getTime());
  const kept = (current?.scheduled ?? []).filter((entry) => planned.includes(Date.parse(entry.at)));
  const fresh = [];
  for (const atMs of planned) {
    if (!kept.some((entry) => Date.parse(entry.at) === atMs))
      fresh.push(await scheduleTransition(context, mailbox, atMs));
  }
  const scheduled = [...kept, ...fresh].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const { replaced, published } = await settlePresence(
    context,
    mailbox,
    reading,
    now.toISOString(),
    now.getTime(),
    scheduled,
    budget,
  );
  // A boundary already past has been delivered (or is being): only later ones are cancelled.
  await cancelTransitions(
    context,
    replaced.filter((entry) => Date.parse(entry.at) > now.getTime()),
  );
  return published;
}

export type PresenceEvaluation =
  | { outcome: 'evaluated'; published: PresenceChange | undefined }
  | { outcome: 'skipped'; reason: 'not-activated' | 'never-read' };

/**
 * A scheduled boundary has come: the user's presence is derived again from the stored reading (no
 * Graph call), at the boundary's time or later. A redelivery, or a poll that got there first, finds
 * the state already written and publishes nothing.
 */
export async function evaluatePresenceAt(
  context: PresenceContext,
  message: PresenceTransitionMessage,
): Promise<PresenceEvaluation> {
  const mailbox = keyOf(message);
  const user = await context.users.find(mailbox);
  if (!user?.enabled || user.state !== 'activated') {
    context.counters.increment('presence.transition-skipped');
    return { outcome: 'skipped', reason: 'not-activated' };
  }
  const current = await context.states.find(mailbox);
  if (!current?.reading) return { outcome: 'skipped', reason: 'never-read' };
  // Never before the boundary, whatever the clocks between Service Bus and this instance say.
  const nowMs = Math.max(context.clock.now().getTime(), Date.parse(message.at));
  const { published } = await settlePresence(
    context,
    mailbox,
    current.reading,
    null,
    nowMs,
    current.scheduled.filter((entry) => Date.parse(entry.at) > nowMs),
  );
  return { outcome: 'evaluated', published };
}

/**
 * The poll timer's work: the activated users whose slot in the poll period fell in the tick that
 * just ended are read from the source, each tenant's users together (the source batches them), and
 * each reading applied. Each user keeps their slot (a hash of the ids), so reads spread evenly over
 * the period. A user whose read or write failed is counted and read again next period. Publishing
 * shares one time budget per run: past it, changes are written but left pending for the next writer.
 */
export async function pollDuePresence(
  context: PresenceContext,
  tickMs = presencePollTickMs,
  publishBudgetMs = presencePublishBudgetMs,
): Promise<{ polled: number; changed: number; failed: number }> {
  const periodMs = Math.max(context.pollPeriodMs, tickMs);
  const now = context.clock.now();
  const to = new Date(now.getTime() - (now.getTime() % tickMs));
  const from = new Date(to.getTime() - tickMs);
  const due = new Map<string, string[]>();
  for (const user of await context.users.activated()) {
    const mailbox = { tenantId: user.tenantId, userId: user.id };
    if (!slotTimeBetween(mailbox, from, to, periodMs)) continue;
    due.set(user.tenantId, [...(due.get(user.tenantId) ?? []), user.id]);
  }
  // Events starting before the next poll are seen now, so their start can be scheduled exactly.
  const eventWindow = { from: now, to: new Date(now.getTime() + 2 * periodMs) };
  let polled = 0;
  let changed = 0;
  let failed = 0;
  let unexpected: unknown;
  const budget = new PublishBudget(publishBudgetMs);
  try {
    for (const [tenantId, userIds] of due) {
      const results = await context.source.readPresence(tenantId, userIds, eventWindow);
      for (const userId of userIds) {
        const result = results.get(userId);
        polled += 1;
        if (result?.outcome !== 'read') {
          failed += 1;
          context.counters.increment(`presence.read-failed.${result?.code ?? 'no-answer'}`);
          continue;
        }
        try {
          if (await applyPresenceReading(context, { tenantId, userId }, result.reading, budget)) changed += 1;
        } catch (error) {
          // The other users of the tick still get their turn; an unexpected failure is thrown after.
          failed += 1;
          context.counters.increment('presence.apply-failed');
          // A channel that refuses for good (a tenant endpoint answering 4xx) is counted, not
          // thrown: the change waits in the document until the endpoint is fixed.
          const expected = (isAppError(error) && error.transient) || hasErrorCode(error, 'request-rejected');
          if (!expected) unexpected ??= error;
        }
      }
    }
  } finally {
    budget.end();
  }
  context.counters.increment('presence.polled', polled);
  if (unexpected !== undefined) throw unexpected;
  return { polled, changed, failed };
}
