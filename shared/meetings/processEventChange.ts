import type { GraphEvent } from '../adapters/graph/graphModels.js';
import type { CalendarGateway, MailboxRef } from '../calendar/calendarGateway.js';
import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import type { EnvelopeCipher } from '../crypto/envelopeEncryption.js';
import { AppError, hasErrorCode } from '../errors.js';
import type { Counters } from '../observability/counters.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import type { EventChangeMessage } from '../watch/messages.js';
import { watchWindow } from '../watch/watchContext.js';
import type { WatchedUser } from '../watch/watchedUser.js';
import {
  type DecorationPlan,
  eventBody,
  markerPropertyId,
  planDecoration,
  readMarker,
} from './decoration.js';
import { detectMeeting } from './detection.js';
import { appendTrace, type EventTrace } from './eventTrace.js';
import {
  hashOf,
  renderJoinBlockHtml,
  renderJoinBlockText,
  withJoinBlock,
  withoutJoinBlock,
} from './joinBlock.js';
import type { JoinDetailsProvider } from './joinDetailsProvider.js';
import { chooseLanguage, joinStringsFor } from './joinTemplates.js';
import { keyOf, type MeetingDetails, type MeetingRecord, recordTtlSeconds } from './meetingRecord.js';
import type { TenantSettingsCache } from './tenantSettings.js';

export interface MeetingsContext {
  users: DocumentCollection<WatchedUser>;
  calendar: CalendarGateway;
  records: DocumentCollection<MeetingRecord>;
  traces: DocumentCollection<EventTrace>;
  cipher: EnvelopeCipher;
  joinDetails: JoinDetailsProvider;
  tenantSettings: TenantSettingsCache;
  clock: Clock;
  counters: Counters;
}

export type ProcessOutcome = 'ignored' | 'removed' | 'recorded' | 'decorated' | 'undecorated';

const agendaLimit = 8_000;

function utcMs(value: { dateTime: string } | null | undefined): number {
  if (!value) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value.dateTime) ? value.dateTime : `${value.dateTime}Z`);
}

/** The sealed part of a record, from a Graph event. */
function detailsOf(event: GraphEvent, masterId: string | null): MeetingDetails {
  const body = eventBody(event);
  const text =
    body.contentType === 'html'
      ? body.content
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
      : body.content;
  const found = detectMeeting({
    location: event.location?.displayName,
    body: body.content,
    bodyType: body.contentType,
  }).addresses;
  const link =
    found.find((address) => address.kind !== 'sip' && address.kind !== 'video-address')?.address ?? null;
  const sip =
    found
      .find((address) => address.kind === 'sip' || address.kind === 'video-address')
      ?.address.replace(/^sips?:/i, '') ?? null;
  return {
    eventId: event.id,
    seriesMasterId: masterId,
    subject: event.subject ?? '',
    agenda: text.slice(0, agendaLimit),
    isAllDay: event.isAllDay ?? false,
    isOrganizer: event.isOrganizer ?? false,
    responseStatus: event.responseStatus?.response ?? null,
    organizer: {
      name: event.organizer?.emailAddress.name ?? null,
      address: event.organizer?.emailAddress.address ?? null,
    },
    invitees: (event.attendees ?? []).map((attendee) => ({
      name: attendee.emailAddress.name ?? null,
      address: attendee.emailAddress.address ?? null,
      type: attendee.type,
      response: attendee.status?.response ?? null,
    })),
    join: link || sip ? { link, sipAddress: sip } : null,
  };
}

async function upsertRecord(
  context: MeetingsContext,
  user: WatchedUser,
  event: GraphEvent,
  masterId: string | null,
): Promise<void> {
  const startMs = utcMs(event.start);
  const endMs = utcMs(event.end);
  if (Number.isNaN(startMs) || Number.isNaN(endMs))
    throw new AppError('input-invalid', 'event has no start or end');
  const id = keyOf(event.id);
  const now = context.clock.now();
  await context.records.upsert({
    id,
    userId: user.id,
    tenantId: user.tenantId,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    state: 'scheduled',
    seriesKey: masterId ? keyOf(masterId) : null,
    ttl: recordTtlSeconds(endMs, now.getTime()),
    sealed: await context.cipher.seal(user.id, id, detailsOf(event, masterId)),
    updatedAt: now.toISOString(),
  });
}

async function removeRecords(context: MeetingsContext, user: WatchedUser, eventId: string): Promise<void> {
  await context.records.delete(keyOf(eventId), user.id);
  const occurrences = await context.records.queryPartition(user.id, {
    text: 'SELECT * FROM c WHERE c.seriesKey = @seriesKey',
    parameters: [{ name: '@seriesKey', value: keyOf(eventId) }],
  });
  for (const record of occurrences) await context.records.delete(record.id, user.id);
}

/** People invited (rooms are not members of a Webex space). */
function inviteeAddresses(event: GraphEvent): string[] {
  return (event.attendees ?? [])
    .filter((attendee) => attendee.type !== 'resource')
    .flatMap((attendee) => (attendee.emailAddress.address ? [attendee.emailAddress.address] : []));
}

/** Writes or removes the join block on the organiser's copy; one PATCH, conditional on the etag read. */
async function applyPlan(
  context: MeetingsContext,
  mailbox: MailboxRef,
  event: GraphEvent,
  plan: DecorationPlan,
  language: ReturnType<typeof chooseLanguage>,
  templates: Parameters<typeof joinStringsFor>[1],
): Promise<GraphEvent | undefined> {
  if (plan.action === 'none') return undefined;
  const body = eventBody(event);
  let newBody = withoutJoinBlock(body);
  let marker: { v: number; kind: string; lang: string; hash: string; spaceId?: string } = {
    v: 1,
    kind: 'none',
    lang: language,
    hash: '',
  };
  if (plan.action === 'write') {
    const host = event.organizer?.emailAddress.address;
    if (!host) throw new AppError('input-invalid', 'the event names no organiser');
    const details =
      plan.kind === 'personal-room'
        ? await context.joinDetails.personalRoom(host)
        : await context.joinDetails.spaceMeeting(event.subject ?? 'Meeting', inviteeAddresses(event));
    const strings = joinStringsFor(language, templates);
    const block = {
      html: renderJoinBlockHtml(details, strings),
      text: renderJoinBlockText(details, strings),
    };
    newBody = withJoinBlock(body, block);
    marker = {
      v: 1,
      kind: plan.kind,
      lang: language,
      hash: hashOf(newBody.contentType === 'html' ? block.html : block.text),
      ...('spaceId' in details && typeof details.spaceId === 'string' ? { spaceId: details.spaceId } : {}),
    };
  }
  return context.calendar.updateEvent(
    mailbox,
    event.id,
    {
      body: newBody,
      singleValueExtendedProperties: [{ id: markerPropertyId, value: JSON.stringify(marker) }],
    },
    { ifMatch: event['@odata.etag'] ?? '*', extendedPropertyIds: [markerPropertyId] },
  );
}

/**
 * One change to one event: read it, decorate the organiser's copy when its Location asks for it
 * (at most one PATCH, none when nothing would change), keep the user's sealed record (and, for a
 * series, one per occurrence in the window), and record the decision in the trace.
 */
export async function processEventChange(
  context: MeetingsContext,
  message: EventChangeMessage,
): Promise<ProcessOutcome> {
  const user = (await context.users.read(message.userId, message.tenantId))?.value;
  const traceKey = { id: keyOf(message.eventId), userId: message.userId, tenantId: message.tenantId };
  const trace = (
    entry: {
      outcome: string;
      rule?: string | null;
      language?: string | null;
      graph?: string | null;
      detail?: string | null;
    },
    lastChangeKey?: string | null,
  ) =>
    appendTrace(
      context.traces,
      context.clock,
      traceKey,
      {
        source: message.source,
        changeType: message.changeType,
        outcome: entry.outcome,
        rule: entry.rule ?? null,
        language: entry.language ?? null,
        graph: entry.graph ?? null,
        detail: entry.detail ?? null,
      },
      lastChangeKey,
    );
  if (!user?.enabled) {
    context.counters.increment('events.ignored.user-not-watched');
    return 'ignored';
  }
  if (
    message.source === 'notification' &&
    message.subscriptionId &&
    message.subscriptionId !== user.subscriptionId
  ) {
    context.counters.increment('events.ignored.stale-subscription');
    return 'ignored';
  }
  const mailbox: MailboxRef = { tenantId: user.tenantId, userId: user.id };
  // The echo of our own PATCH, and any change already handled, carry a change key we have seen: no Graph call.
  if (message.changeType !== 'deleted' && message.changeKey) {
    const handled = (await context.traces.read(traceKey.id, traceKey.userId))?.value.lastChangeKey;
    if (handled === message.changeKey) {
      context.counters.increment('events.skipped.already-handled');
      return 'ignored';
    }
  }
  if (message.changeType === 'deleted') {
    await removeRecords(context, user, message.eventId);
    await trace({ outcome: 'removed', rule: 'event deleted' });
    return 'removed';
  }

  for (let attempt = 1; ; attempt += 1) {
    let event: GraphEvent;
    try {
      event = await context.calendar.getEvent(mailbox, message.eventId, {
        extendedPropertyIds: [markerPropertyId],
      });
    } catch (error) {
      if (!hasErrorCode(error, 'not-found')) throw error;
      await removeRecords(context, user, message.eventId);
      await trace({ outcome: 'removed', rule: 'event no longer exists', graph: '404' });
      return 'removed';
    }
    if (event.isCancelled) {
      await removeRecords(context, user, event.id);
      await trace({ outcome: 'removed', rule: 'meeting cancelled' });
      return 'removed';
    }

    const settings = await context.tenantSettings.get(user.tenantId);
    const language = chooseLanguage(user.language, settings.defaultLanguage);
    let outcome: ProcessOutcome = 'recorded';
    let rule: string | null = null;
    let graphResult: string | null = null;
    const decoratable =
      event.isOrganizer === true && (event.type === 'singleInstance' || event.type === 'seriesMaster');
    if (decoratable) {
      const { plan } = planDecoration(event, settings.keywords, language);
      rule = plan.rule;
      // An `@meet` meeting already written: later invitees join its space, with no change to the event.
      const marker = readMarker(event);
      if (plan.action === 'none' && marker?.kind === 'space' && marker.spaceId) {
        const added = await context.joinDetails.addMissingMembers(marker.spaceId, inviteeAddresses(event));
        if (added > 0) rule = `${rule}; ${added} invitee(s) added to the space`;
      }
      try {
        const patched = await applyPlan(context, mailbox, event, plan, language, settings.templates);
        if (patched) {
          event = patched;
          outcome = plan.action === 'write' ? 'decorated' : 'undecorated';
          graphResult = 'PATCH 200';
          // Remembered at once: the notification of our own PATCH may already be on its way.
          await trace({ outcome, rule, language, graph: graphResult }, event.changeKey ?? null);
          context.counters.increment(`events.${outcome}`);
        }
      } catch (error) {
        // Someone changed the event between our read and our write: read it again.
        if (hasErrorCode(error, 'precondition-failed') && attempt < 3) continue;
        await trace({
          outcome: 'failed',
          rule,
          language,
          graph: isCalendarServiceError(error) ? `${error.status} ${error.serviceCode}` : null,
          detail: error instanceof AppError ? error.code : 'unexpected',
        });
        throw error;
      }
    } else {
      rule = event.isOrganizer
        ? `${event.type ?? 'event'}: only series masters and single events are decorated`
        : 'attendee copy: recorded, not decorated';
    }

    if (event.type === 'seriesMaster') {
      const instances = await context.calendar.listInstances(
        mailbox,
        event.id,
        watchWindow(context.clock.now()),
      );
      const kept = new Set(instances.map((instance) => keyOf(instance.id)));
      for (const instance of instances) await upsertRecord(context, user, instance, event.id);
      const existing = await context.records.queryPartition(user.id, {
        text: 'SELECT * FROM c WHERE c.seriesKey = @seriesKey',
        parameters: [{ name: '@seriesKey', value: keyOf(event.id) }],
      });
      for (const record of existing)
        if (!kept.has(record.id)) await context.records.delete(record.id, user.id);
    } else {
      await upsertRecord(context, user, event, event.seriesMasterId ?? null);
    }
    // A decoration was traced the moment it was written; everything else is traced now.
    if (!graphResult) {
      await trace(
        { outcome, rule, language: decoratable ? language : null, graph: null },
        event.changeKey ?? null,
      );
    }
    return outcome;
  }
}
