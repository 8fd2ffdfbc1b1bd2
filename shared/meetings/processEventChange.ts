import type { Calendar } from '../calendar/calendar.js';
import type { CalendarEvent } from '../calendar/calendarEvent.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { hasErrorCode } from '../errors.js';
import type { EventChangeMessage } from '../watch/messages.js';
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
  if (message.changeType === 'deleted') {
    await removeMeetingRecords(context.records, gate.user.id, message.eventId);
    await trace.record({ outcome: 'removed', rule: 'event deleted' });
    return 'removed';
  }
  return retryOnVersionConflict(maxAttempts, (attempt) =>
    processCurrentVersion(context, message.eventId, gate, trace, attempt),
  );
}

/** One pass over the event as it is now; rerun on a fresh read when someone changed it under our write. */
async function processCurrentVersion(
  context: MeetingsContext,
  eventId: string,
  { user, mailbox }: Extract<GateDecision, { admitted: true }>,
  trace: EventTraceLog,
  attempt: ConflictAttempt,
): Promise<ProcessOutcome> {
  const event = await readEventIfItExists(context.calendar, mailbox, eventId);
  if (!event) {
    await removeMeetingRecords(context.records, user.id, eventId);
    await trace.record({ outcome: 'removed', rule: 'event no longer exists', graph: '404' });
    return 'removed';
  }
  if (event.isCancelled) {
    await removeMeetingRecords(context.records, user.id, event.id);
    await trace.record({ outcome: 'removed', rule: 'meeting cancelled' });
    return 'removed';
  }

  const settings = await context.tenantSettings.get(user.tenantId);
  const language = chooseLanguage(user.language, settings.defaultLanguage);
  const decoration = await decorateMeeting(context, { mailbox, event, settings, language, trace, attempt });
  await syncMeetingRecords(context, user, mailbox, decoration.event);
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
