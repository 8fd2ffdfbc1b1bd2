import type { Calendar } from '../calendar/calendar.js';
import type { CalendarEvent } from '../calendar/calendarEvent.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { hasErrorCode } from '../errors.js';
import { recordNotificationToDecoration } from '../observability/telemetry.js';
import type { EventChangeMessage } from '../watch/messages.js';
import { withFailure } from '../watch/watchedUser.js';
import { decorateMeeting } from './decorateMeeting.js';
import { type GateDecision, gateEventChange } from './eventChangeGate.js';
import { type EventTraceLog, eventTraceLog } from './eventTraceLog.js';
import { chooseLanguage } from './joinTemplates.js';
import { removeMeetingRecords, syncMeetingRecords } from './meetingRecordSync.js';
import type { MeetingsContext } from './meetingsContext.js';
import { type ConflictAttempt, retryOnVersionConflict } from './versionConflictRetry.js';

export type ProcessOutcome = 'ignored' | 'removed' | 'recorded' | 'decorated' | 'undecorated';

/** Reads of an event before giving up on writing it, when others keep changing it in between. */
const maxAttempts = 3;

/**
 * One change to one event: read it, decorate the organiser's copy when its Location asks for it
 * (at most one write, none when nothing would change), keep the user's sealed record (and, for a
 * series, one per occurrence in the window), and record the decision in the trace. Failures are
 * rethrown, so that the message is tried again.
 */
export async function processEventChange(
  context: MeetingsContext,
  message: EventChangeMessage,
): Promise<ProcessOutcome> {
  const gate = await gateEventChange(context, message);
  if (!gate.admitted) return 'ignored';
  const trace = eventTraceLog(context, message);
  // A `deleted` notice is not taken on its word: notifications arrive late and out of order (a
  // delete, then the event restored or recreated under its id), and a forged-but-signed or replayed
  // one must not cost a meeting its record. Graph's 404 removes the record; an event that still
  // exists (and is not cancelled) is handled as an update.
  try {
    return await retryOnVersionConflict(maxAttempts, (attempt) =>
      processCurrentVersion(context, message, gate, trace, attempt),
    );
  } catch (error) {
    if (hasErrorCode(error, 'mailbox-gone')) await markMailboxGone(context, gate.mailbox);
    throw error;
  }
}

/**
 * The mailbox left Exchange Online: the user goes to Error (`mailbox-gone`), where the retry timer
 * tries activation again later, instead of staying Activated while each change is dead-lettered.
 * A user already in Error for this reason is left as is, so a burst of changes does not push the
 * next retry further out; the message itself is still dead-lettered (the error is rethrown).
 */
async function markMailboxGone(context: MeetingsContext, mailbox: MailboxRef): Promise<void> {
  await context.users.update(mailbox, (current) =>
    current.state === 'error' && current.errorReason === 'mailbox-gone'
      ? undefined
      : withFailure(current, 'mailbox-gone', context.clock.now()),
  );
  context.counters.increment('events.mailbox-gone');
}

/** One pass over the event as it is now; rerun on a fresh read when someone changed it under our write. */
async function processCurrentVersion(
  context: MeetingsContext,
  { eventId, changeType, source, observedAt }: EventChangeMessage,
  { user, mailbox }: Extract<GateDecision, { admitted: true }>,
  trace: EventTraceLog,
  attempt: ConflictAttempt,
): Promise<ProcessOutcome> {
  const event = await readEventIfItExists(context.calendar, mailbox, eventId);
  if (!event) {
    await removeMeetingRecords(context, user.id, eventId);
    const rule = changeType === 'deleted' ? 'event deleted' : 'event no longer exists';
    await trace.record({ outcome: 'removed', rule, graph: '404' });
    return 'removed';
  }
  if (event.isCancelled) {
    await removeMeetingRecords(context, user.id, event.id);
    await trace.record({ outcome: 'removed', rule: 'meeting cancelled' });
    return 'removed';
  }

  const settings = await context.tenantSettings.get(user.tenantId);
  const language = chooseLanguage(user.language, settings.defaultLanguage);
  const decoration = await decorateMeeting(context, { mailbox, event, settings, language, trace, attempt });
  await syncMeetingRecords(context, user, mailbox, decoration.event);
  // The latency the service exists to keep short: a notified change until its Join block is in Graph.
  if (decoration.written && decoration.outcome === 'decorated' && source === 'notification') {
    recordNotificationToDecoration(context.clock.now().getTime() - Date.parse(observedAt));
  }
  // A write was traced the moment it was made; every other decision is traced now.
  if (!decoration.written) {
    await trace.record(
      { outcome: decoration.outcome, rule: decoration.rule, language: decoration.language },
      decoration.event.changeKey,
    );
  }
  return decoration.outcome;
}

async function readEventIfItExists(
  calendar: Calendar,
  mailbox: MailboxRef,
  eventId: string,
): Promise<CalendarEvent | undefined> {
  try {
    return await calendar.readEvent(mailbox, eventId);
  } catch (error) {
    if (hasErrorCode(error, 'not-found')) return undefined;
    throw error;
  }
}
