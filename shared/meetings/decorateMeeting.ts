import type { CalendarEvent } from '../calendar/calendarEvent.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { AppError, hasErrorCode, isTransient } from '../errors.js';
import {
  type DecorationMarker,
  type DecorationPlan,
  markerText,
  planDecoration,
  readMarker,
} from './decoration.js';
import type { EventTraceLog } from './eventTraceLog.js';
import {
  hashOf,
  type JoinDetails,
  renderJoinBlockHtml,
  renderJoinBlockText,
  withJoinBlock,
  withoutJoinBlock,
} from './joinBlock.js';
import { joinStringsFor, type SupportedLanguage } from './joinTemplates.js';
import type { MeetingsContext } from './meetingsContext.js';
import type { TenantSettings } from './tenantSettings.js';
import type { ConflictAttempt } from './versionConflictRetry.js';

export interface DecorationResult {
  outcome: 'recorded' | 'decorated' | 'undecorated';
  rule: string;
  /** The language decided on, for a copy that could be decorated; null for one that cannot. */
  language: SupportedLanguage | null;
  /** The event as it now is: the written version when the join block was written or removed. */
  event: CalendarEvent;
  /** Whether the event was written (and that decision traced at once). */
  written: boolean;
}

/** Only the organiser's copy of a single event or of a whole series carries a join block. */
function whyNotDecoratable(event: CalendarEvent): string | undefined {
  if (!event.isOrganizer) return 'attendee copy: recorded, not decorated';
  if (event.kind === 'single' || event.kind === 'seriesMaster') return undefined;
  return `${event.kind ?? 'event'}: only series masters and single events are decorated`;
}

/** People invited: rooms are not members of a Webex space. */
function inviteeAddresses(event: CalendarEvent): string[] {
  return event.invitees
    .filter((invitee) => invitee.kind !== 'room')
    .flatMap((invitee) => (invitee.address ? [invitee.address] : []));
}

/** Writes the join block (asking Webex for it) or removes it, with its marker: one conditional write. */
async function writeDecoration(
  context: Pick<MeetingsContext, 'calendar' | 'joinDetails' | 'joinServiceRecovery'>,
  mailbox: MailboxRef,
  event: CalendarEvent,
  plan: Exclude<DecorationPlan, { action: 'none' }>,
  language: SupportedLanguage,
  templates: TenantSettings['templates'],
): Promise<CalendarEvent> {
  if (plan.action === 'remove') {
    const marker: DecorationMarker = { v: 1, kind: 'none', lang: language, hash: '' };
    return context.calendar.writeJoinBlock(mailbox, event, {
      body: withoutJoinBlock(event.body),
      decorationMarker: markerText(marker),
    });
  }
  const host = event.organizer.address;
  if (!host) throw new AppError('input-invalid', 'the event names no organiser');
  let details: JoinDetails & { spaceId?: string };
  try {
    details =
      plan.kind === 'personal-room'
        ? await context.joinDetails.personalRoom(host)
        : await context.joinDetails.spaceMeeting(event.subject ?? 'Meeting', inviteeAddresses(event));
  } catch (error) {
    if (isTransient(error)) context.joinServiceRecovery?.failed(mailbox);
    throw error;
  }
  await context.joinServiceRecovery?.succeeded();
  const strings = joinStringsFor(language, templates);
  const block = { html: renderJoinBlockHtml(details, strings), text: renderJoinBlockText(details, strings) };
  const body = withJoinBlock(event.body, block);
  const marker: DecorationMarker = {
    v: 1,
    kind: plan.kind,
    lang: language,
    hash: hashOf(body.contentType === 'html' ? block.html : block.text),
    ...('spaceId' in details && typeof details.spaceId === 'string' ? { spaceId: details.spaceId } : {}),
  };
  return context.calendar.writeJoinBlock(mailbox, event, { body, decorationMarker: markerText(marker) });
}

/**
 * Decorates the organiser's copy when its Location asks for it, and undecorates it when the keyword
 * went: at most one write, none when the event already shows what it should. An `@meet` meeting
 * already decorated gets its later invitees added to its space instead, without a write. A write is
 * traced at once, with the change key it produced; a failed one is traced as failed and rethrown,
 * unless it was a version conflict that the caller will retry on a fresh read.
 */
export async function decorateMeeting(
  context: Pick<MeetingsContext, 'calendar' | 'joinDetails' | 'joinServiceRecovery' | 'counters'>,
  change: {
    mailbox: MailboxRef;
    event: CalendarEvent;
    settings: TenantSettings;
    language: SupportedLanguage;
    trace: EventTraceLog;
    attempt: ConflictAttempt;
  },
): Promise<DecorationResult> {
  const { event, language, trace } = change;
  const notDecoratable = whyNotDecoratable(event);
  if (notDecoratable)
    return { outcome: 'recorded', rule: notDecoratable, language: null, event, written: false };

  const { plan } = planDecoration(event, change.settings.keywords, language);
  let rule = plan.rule;
  const marker = readMarker(event);
  if (plan.action === 'none' && marker?.kind === 'space' && marker.spaceId) {
    const added = await context.joinDetails.addMissingMembers(marker.spaceId, inviteeAddresses(event));
    if (added > 0) rule = `${rule}; ${added} invitee(s) added to the space`;
  }
  if (plan.action === 'none') return { outcome: 'recorded', rule, language, event, written: false };

  let written: CalendarEvent;
  try {
    written = await writeDecoration(
      context,
      change.mailbox,
      event,
      plan,
      language,
      change.settings.templates,
    );
  } catch (error) {
    const retried = hasErrorCode(error, 'precondition-failed') && !change.attempt.final;
    if (!retried) await trace.failed(error, { rule, language });
    throw error;
  }
  const outcome = plan.action === 'write' ? 'decorated' : 'undecorated';
  // Remembered at once: the notification of our own write may already be on its way.
  await trace.record({ outcome, rule, language, graph: 'PATCH 200' }, written.changeKey);
  context.counters.increment(`events.${outcome}`);
  return { outcome, rule, language, event: written, written: true };
}
