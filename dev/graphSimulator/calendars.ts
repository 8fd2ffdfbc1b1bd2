import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { htmlToText } from '../../shared/meetings/htmlText.js';
import type { Clock } from '../../shared/time/clock.js';
import type { DirectoryUser } from './demoTenant.js';
import { badRequest, GraphError, notFound } from './graphErrors.js';
import {
  isSupportedPattern,
  occurrenceDates,
  occurrenceStart,
  type RecurrencePattern,
  type RecurrenceRange,
} from './recurrence.js';
import { epochMsToZoned, localDateOf, zonedToEpochMs } from './timeZones.js';

export type ResponseType =
  | 'none'
  | 'organizer'
  | 'tentativelyAccepted'
  | 'accepted'
  | 'declined'
  | 'notResponded';
export type ChangeType = 'created' | 'updated' | 'deleted';

export interface EmailAddress {
  name: string;
  address: string;
}

export interface Attendee {
  type: 'required' | 'optional' | 'resource';
  emailAddress: EmailAddress;
  status: { response: ResponseType; time: string };
}

export interface Location {
  displayName: string;
  locationType: string;
  uniqueId: string | null;
  uniqueIdType: string;
  locationEmailAddress?: string;
  locationUri?: string;
}

export interface ExtendedProperty {
  id: string;
  value: string;
}

/** An event as the simulator keeps it: instants in UTC milliseconds, the original zones beside them. */
export interface StoredEvent {
  id: string;
  mailboxId: string;
  iCalUId: string;
  type: 'singleInstance' | 'seriesMaster' | 'exception' | 'occurrence';
  createdMs: number;
  lastModifiedMs: number;
  changeKey: string;
  changeSeq: number;
  subject: string;
  body: { contentType: 'html' | 'text'; content: string };
  location: Location;
  locations: Location[];
  startMs: number;
  endMs: number;
  startZone: string;
  endZone: string;
  isAllDay: boolean;
  attendees: Attendee[];
  organizer: { emailAddress: EmailAddress };
  isOrganizer: boolean;
  responseStatus: { response: ResponseType; time: string };
  recurrence: { pattern: RecurrencePattern; range: RecurrenceRange } | null;
  seriesMasterId: string | null;
  originalStartMs: number | null;
  /** Local dates (YYYY-MM-DD) of cancelled occurrences; series masters only. */
  cancelledDates: string[];
  isCancelled: boolean;
  extendedProperties: ExtendedProperty[];
  categories: string[];
  importance: 'low' | 'normal' | 'high';
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: 'unknown' | 'teamsForBusiness' | 'skypeForBusiness' | 'skypeForConsumer';
  allowNewTimeProposals: boolean;
  hideAttendees: boolean;
  responseRequested: boolean;
  transactionId: string | null;
}

export interface AutomaticRepliesSetting {
  status: 'disabled' | 'alwaysEnabled' | 'scheduled';
  externalAudience: 'none' | 'contactsOnly' | 'all';
  internalReplyMessage: string;
  externalReplyMessage: string;
  scheduledStartDateTime: { dateTime: string; timeZone: string };
  scheduledEndDateTime: { dateTime: string; timeZone: string };
}

export interface Mailbox {
  user: DirectoryUser;
  events: Map<string, StoredEvent>;
  changeSeq: number;
  tombstones: Array<{ id: string; seq: number }>;
  /** Bumped to invalidate every delta token of the mailbox. */
  deltaGeneration: number;
  /** A mailbox that left Exchange Online: every calendar call answers 404. */
  gone: boolean;
  automaticReplies: AutomaticRepliesSetting;
  language: string;
  timeZone: string;
}

export type ChangeListener = (
  mailboxId: string,
  eventId: string,
  changeType: ChangeType,
  changeKey: string,
) => void;

const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string().optional() }).loose();
const emailAddressSchema = z.object({ address: z.string(), name: z.string().optional() }).loose();
const locationSchema = z
  .object({
    displayName: z.string().optional(),
    locationType: z.string().optional(),
    uniqueId: z.string().nullable().optional(),
    uniqueIdType: z.string().optional(),
    locationEmailAddress: z.string().optional(),
    locationUri: z.string().optional(),
  })
  .loose();
const recurrenceSchema = z
  .object({
    pattern: z
      .object({
        type: z.enum([
          'daily',
          'weekly',
          'absoluteMonthly',
          'relativeMonthly',
          'absoluteYearly',
          'relativeYearly',
        ]),
        interval: z.number().int().min(1).max(999),
        daysOfWeek: z.array(z.string()).optional(),
        firstDayOfWeek: z.string().optional(),
        dayOfMonth: z.number().int().min(0).max(31).optional(),
        month: z.number().int().optional(),
        index: z.string().optional(),
      })
      .loose(),
    range: z
      .object({
        type: z.enum(['endDate', 'noEnd', 'numbered']),
        startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        endDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .nullable()
          .optional(),
        numberOfOccurrences: z.number().int().min(0).optional(),
        recurrenceTimeZone: z.string().optional(),
      })
      .loose(),
  })
  .nullable();

/** The writable properties of an event, typed as Graph's metadata types them. */
const eventInputSchema = z
  .object({
    subject: z.string().nullable(),
    body: z
      .object({
        contentType: z.enum(['html', 'text', 'HTML', 'Text']).optional(),
        content: z.string().nullable(),
      })
      .loose(),
    start: dateTimeTimeZoneSchema,
    end: dateTimeTimeZoneSchema,
    isAllDay: z.boolean(),
    location: locationSchema,
    locations: z.array(locationSchema),
    attendees: z.array(
      z
        .object({
          type: z.enum(['required', 'optional', 'resource']).optional(),
          emailAddress: emailAddressSchema,
          status: z.unknown().optional(),
        })
        .loose(),
    ),
    recurrence: recurrenceSchema,
    categories: z.array(z.string()),
    importance: z.enum(['low', 'normal', 'high']),
    sensitivity: z.enum(['normal', 'personal', 'private', 'confidential']),
    showAs: z.enum(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']),
    isReminderOn: z.boolean(),
    reminderMinutesBeforeStart: z.number().int(),
    isOnlineMeeting: z.boolean(),
    onlineMeetingProvider: z.enum(['unknown', 'teamsForBusiness', 'skypeForBusiness', 'skypeForConsumer']),
    allowNewTimeProposals: z.boolean(),
    hideAttendees: z.boolean(),
    responseRequested: z.boolean(),
    transactionId: z.string().nullable(),
    singleValueExtendedProperties: z.array(z.object({ id: z.string().min(1), value: z.string().nullable() })),
  })
  .partial();
export type EventInput = z.infer<typeof eventInputSchema>;

/** Read-only properties of `event` a client may echo back; Graph ignores or refuses them. */
const readOnlyEventProperties = new Set([
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'iCalUId',
  'bodyPreview',
  'isOrganizer',
  'organizer',
  'responseStatus',
  'type',
  'seriesMasterId',
  'webLink',
  'originalStart',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'hasAttachments',
  'isCancelled',
  'isDraft',
  'onlineMeeting',
  'onlineMeetingUrl',
  'cancelledOccurrences',
]);

/** Parses an event body as Graph does: unknown properties and wrong types are a 400 naming them. */
export function parseEventInput(body: unknown): EventInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Empty Payload. JSON content expected.', 'BadRequest');
  }
  for (const key of Object.keys(body)) {
    if (key.startsWith('@odata.') || readOnlyEventProperties.has(key)) continue;
    if (!(key in eventInputSchema.shape)) {
      throw badRequest(
        `Property '${key}' does not exist on type 'microsoft.graph.event'.`,
        'RequestBodyRead',
      );
    }
  }
  const parsed = eventInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(
      `Cannot convert the literal value of property '${issue?.path.join('.') ?? ''}' to the expected type: ${issue?.message ?? ''}.`,
      'RequestBodyRead',
    );
  }
  return parsed.data;
}

export function newGraphId(prefix = 'AAMkAG'): string {
  return `${prefix}${randomBytes(30).toString('base64url')}=`;
}

function newChangeKey(): string {
  return randomBytes(12).toString('base64');
}

function toMs(
  value: { dateTime: string; timeZone?: string | undefined },
  fallbackZone: string,
): { ms: number; zone: string } {
  const zone = value.timeZone ?? fallbackZone;
  const ms = zonedToEpochMs(value.dateTime, zone);
  if (ms === undefined) {
    throw new GraphError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zone}'.`,
    );
  }
  return { ms, zone };
}

function toLocation(input: z.infer<typeof locationSchema> | undefined): Location {
  return {
    displayName: input?.displayName ?? '',
    locationType: input?.locationType ?? 'default',
    uniqueId: input?.uniqueId ?? (input?.displayName ? input.displayName : null),
    uniqueIdType: input?.uniqueIdType ?? (input?.displayName ? 'private' : 'unknown'),
    ...(input?.locationEmailAddress ? { locationEmailAddress: input.locationEmailAddress } : {}),
    ...(input?.locationUri ? { locationUri: input.locationUri } : {}),
  };
}

// Text of an HTML body, as Graph renders `Prefer: outlook.body-content-type="text"`: the same reading
// as the service's own, so the simulator and the service never disagree about what a body says.
export { htmlToText };

/** Turns a stored event into Graph's wire shape, with times in the requested zone. */
export function toGraphEvent(
  event: StoredEvent,
  options: {
    zone: string;
    bodyType?: 'html' | 'text' | undefined;
    webLinkBase: string;
    expandExtended?: ((id: string) => boolean) | undefined;
  },
): Record<string, unknown> {
  const { zone } = options;
  const bodyText = event.body.contentType === 'html' ? htmlToText(event.body.content) : event.body.content;
  const body =
    options.bodyType === 'text' && event.body.contentType === 'html'
      ? { contentType: 'text', content: bodyText }
      : options.bodyType === 'html' && event.body.contentType === 'text'
        ? {
            contentType: 'html',
            content: `<html><body>${event.body.content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</body></html>`,
          }
        : { ...event.body };
  const graphEvent: Record<string, unknown> = {
    '@odata.etag': `W/"${event.changeKey}"`,
    id: event.id,
    createdDateTime: new Date(event.createdMs).toISOString(),
    lastModifiedDateTime: new Date(event.lastModifiedMs).toISOString(),
    changeKey: event.changeKey,
    categories: [...event.categories],
    transactionId: event.transactionId,
    originalStartTimeZone: event.startZone,
    originalEndTimeZone: event.endZone,
    iCalUId: event.iCalUId,
    reminderMinutesBeforeStart: event.reminderMinutesBeforeStart,
    isReminderOn: event.isReminderOn,
    hasAttachments: false,
    subject: event.subject,
    bodyPreview: bodyText.slice(0, 255),
    importance: event.importance,
    sensitivity: event.sensitivity,
    isAllDay: event.isAllDay,
    isCancelled: event.isCancelled,
    isOrganizer: event.isOrganizer,
    responseRequested: event.responseRequested,
    seriesMasterId: event.seriesMasterId,
    showAs: event.showAs,
    type: event.type,
    webLink: `${options.webLinkBase}?itemid=${encodeURIComponent(event.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: event.isOnlineMeeting,
    onlineMeetingProvider: event.onlineMeetingProvider,
    allowNewTimeProposals: event.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: event.hideAttendees,
    cancelledOccurrences: event.cancelledDates.map((date) => `OID.${event.id}.${date}`),
    responseStatus: { ...event.responseStatus },
    body,
    start: { dateTime: epochMsToZoned(event.startMs, zone), timeZone: zone },
    end: { dateTime: epochMsToZoned(event.endMs, zone), timeZone: zone },
    location: { ...event.location },
    locations: event.locations.map((location) => ({ ...location })),
    recurrence: event.recurrence ? structuredClone(event.recurrence) : null,
    attendees: event.attendees.map((attendee) => structuredClone(attendee)),
    organizer: structuredClone(event.organizer),
    onlineMeeting: null,
  };
  if (event.originalStartMs !== null)
    graphEvent.originalStart = new Date(event.originalStartMs).toISOString();
  if (options.expandExtended) {
    graphEvent.singleValueExtendedProperties = event.extendedProperties
      .filter((property) => options.expandExtended?.(property.id))
      .map((property) => ({ ...property }));
  }
  return graphEvent;
}

/**
 * Every mailbox's calendar: events, series with occurrences and exceptions, attendee copies that
 * follow the organiser's changes, responses, and the change log that notifications and delta read.
 */
export class CalendarService {
  readonly mailboxes = new Map<string, Mailbox>();
  readonly #clock: Clock;
  readonly #listeners: ChangeListener[] = [];

  constructor(users: readonly DirectoryUser[], clock: Clock) {
    this.#clock = clock;
    for (const user of users) this.addMailbox(user);
  }

  addMailbox(user: DirectoryUser): Mailbox {
    const mailbox: Mailbox = {
      user,
      events: new Map(),
      changeSeq: 0,
      tombstones: [],
      deltaGeneration: 1,
      gone: false,
      language: user.preferredLanguage,
      timeZone: user.timeZone,
      automaticReplies: {
        status: 'disabled',
        externalAudience: 'all',
        internalReplyMessage: '',
        externalReplyMessage: '',
        scheduledStartDateTime: { dateTime: '2026-01-01T00:00:00.0000000', timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: '2026-01-02T00:00:00.0000000', timeZone: 'UTC' },
      },
    };
    this.mailboxes.set(user.id, mailbox);
    return mailbox;
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  mailboxByAddress(address: string): Mailbox | undefined {
    const lower = address.toLowerCase();
    for (const mailbox of this.mailboxes.values()) {
      if (mailbox.user.mail.toLowerCase() === lower || mailbox.user.userPrincipalName.toLowerCase() === lower)
        return mailbox;
    }
    return undefined;
  }

  #nowIso(): string {
    return this.#clock.now().toISOString();
  }

  /** Records a change: new change key, change sequence for delta, and a notification. */
  #touch(mailbox: Mailbox, event: StoredEvent, changeType: ChangeType): void {
    mailbox.changeSeq += 1;
    event.changeSeq = mailbox.changeSeq;
    event.changeKey = newChangeKey();
    event.lastModifiedMs = this.#clock.now().getTime();
    for (const listener of this.#listeners) listener(mailbox.user.id, event.id, changeType, event.changeKey);
  }

  #remove(mailbox: Mailbox, id: string): void {
    const event = mailbox.events.get(id);
    mailbox.events.delete(id);
    mailbox.changeSeq += 1;
    mailbox.tombstones.push({ id, seq: mailbox.changeSeq });
    for (const listener of this.#listeners) listener(mailbox.user.id, id, 'deleted', event?.changeKey ?? '');
  }

  #applyInput(event: StoredEvent, input: EventInput, mailbox: Mailbox): void {
    if (input.subject !== undefined) event.subject = input.subject ?? '';
    if (input.body !== undefined) {
      const type = (input.body.contentType ?? event.body.contentType).toLowerCase() as 'html' | 'text';
      event.body = { contentType: type, content: input.body.content ?? '' };
    }
    if (input.start !== undefined) {
      const start = toMs(input.start, mailbox.timeZone);
      event.startMs = start.ms;
      event.startZone = start.zone;
    }
    if (input.end !== undefined) {
      const end = toMs(input.end, mailbox.timeZone);
      event.endMs = end.ms;
      event.endZone = end.zone;
    }
    if (event.endMs < event.startMs)
      throw badRequest('The end time of the event must be after its start time.', 'ErrorInvalidRequest');
    if (input.isAllDay !== undefined) event.isAllDay = input.isAllDay;
    if (input.location !== undefined) {
      event.location = toLocation(input.location);
      if (input.locations === undefined)
        event.locations = event.location.displayName ? [toLocation(input.location)] : [];
    }
    if (input.locations !== undefined) event.locations = input.locations.map(toLocation);
    if (input.attendees !== undefined) {
      const previous = new Map(
        event.attendees.map((attendee) => [attendee.emailAddress.address.toLowerCase(), attendee]),
      );
      event.attendees = input.attendees.map((attendee) => {
        const known = previous.get(attendee.emailAddress.address.toLowerCase());
        const directory = this.mailboxByAddress(attendee.emailAddress.address);
        return {
          type: attendee.type ?? (directory?.user.isRoom ? 'resource' : 'required'),
          emailAddress: {
            name: attendee.emailAddress.name ?? directory?.user.displayName ?? attendee.emailAddress.address,
            address: attendee.emailAddress.address,
          },
          status: known?.status ?? { response: 'none', time: '0001-01-01T00:00:00Z' },
        };
      });
    }
    if (input.recurrence !== undefined) {
      if (input.recurrence === null) {
        event.recurrence = null;
      } else {
        const pattern = input.recurrence.pattern as RecurrencePattern;
        if (!isSupportedPattern(pattern)) {
          throw badRequest(
            `The simulator does not expand '${pattern.type}' recurrences.`,
            'ErrorInvalidRecurrence',
          );
        }
        if (pattern.type === 'weekly' && !pattern.daysOfWeek?.length) {
          throw badRequest('A weekly recurrence needs daysOfWeek.', 'ErrorInvalidRecurrence');
        }
        const range = input.recurrence.range;
        event.recurrence = {
          pattern,
          range: {
            type: range.type,
            startDate: range.startDate,
            ...(range.endDate ? { endDate: range.endDate } : {}),
            ...(range.numberOfOccurrences !== undefined
              ? { numberOfOccurrences: range.numberOfOccurrences }
              : {}),
            recurrenceTimeZone: range.recurrenceTimeZone ?? event.startZone,
          },
        };
      }
      if (event.type !== 'exception') event.type = event.recurrence ? 'seriesMaster' : 'singleInstance';
    }
    for (const key of [
      'categories',
      'importance',
      'sensitivity',
      'showAs',
      'isReminderOn',
      'reminderMinutesBeforeStart',
      'isOnlineMeeting',
      'onlineMeetingProvider',
      'allowNewTimeProposals',
      'hideAttendees',
      'responseRequested',
      'transactionId',
    ] as const) {
      if (input[key] !== undefined) (event as unknown as Record<string, unknown>)[key] = input[key];
    }
    if (input.singleValueExtendedProperties !== undefined) {
      for (const property of input.singleValueExtendedProperties) {
        const index = event.extendedProperties.findIndex(
          (existing) => existing.id.toLowerCase() === property.id.toLowerCase(),
        );
        if (property.value === null) {
          if (index >= 0) event.extendedProperties.splice(index, 1);
        } else if (index >= 0) {
          event.extendedProperties[index] = {
            id: event.extendedProperties[index]?.id ?? property.id,
            value: property.value,
          };
        } else {
          event.extendedProperties.push({ id: property.id, value: property.value });
        }
      }
    }
  }

  #blankEvent(mailbox: Mailbox, id: string, iCalUId: string): StoredEvent {
    const nowMs = this.#clock.now().getTime();
    return {
      id,
      mailboxId: mailbox.user.id,
      iCalUId,
      type: 'singleInstance',
      createdMs: nowMs,
      lastModifiedMs: nowMs,
      changeKey: newChangeKey(),
      changeSeq: 0,
      subject: '',
      body: { contentType: 'html', content: '' },
      location: toLocation(undefined),
      locations: [],
      startMs: nowMs,
      endMs: nowMs + 30 * 60_000,
      startZone: 'UTC',
      endZone: 'UTC',
      isAllDay: false,
      attendees: [],
      organizer: { emailAddress: { name: mailbox.user.displayName, address: mailbox.user.mail } },
      isOrganizer: true,
      responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      recurrence: null,
      seriesMasterId: null,
      originalStartMs: null,
      cancelledDates: [],
      isCancelled: false,
      extendedProperties: [],
      categories: [],
      importance: 'normal',
      sensitivity: 'normal',
      showAs: 'busy',
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      isOnlineMeeting: false,
      onlineMeetingProvider: 'unknown',
      allowNewTimeProposals: true,
      hideAttendees: false,
      responseRequested: true,
      transactionId: null,
    };
  }

  createEvent(mailbox: Mailbox, input: EventInput): StoredEvent {
    if (!input.start || !input.end)
      throw badRequest('Start and End are required to create an event.', 'ErrorInvalidRequest');
    if (input.transactionId) {
      for (const existing of mailbox.events.values()) {
        if (existing.transactionId === input.transactionId) return existing;
      }
    }
    const event = this.#blankEvent(
      mailbox,
      newGraphId(),
      `040000008200E00074C5B7101A82E008${randomBytes(28).toString('hex').toUpperCase()}`,
    );
    this.#applyInput(event, input, mailbox);
    mailbox.events.set(event.id, event);
    this.#touch(mailbox, event, 'created');
    this.#syncAttendeeCopies(event);
    return event;
  }

  /** An event by id: a stored one, or an occurrence of a series computed from its master. */
  getEvent(mailbox: Mailbox, id: string): StoredEvent {
    const stored = mailbox.events.get(id);
    if (stored) return stored;
    const occurrence = this.#occurrenceFromId(mailbox, id);
    if (occurrence) return occurrence;
    throw notFound();
  }

  #occurrenceFromId(mailbox: Mailbox, id: string): StoredEvent | undefined {
    const match = /^(.+)_OCC(\d{8})$/.exec(id);
    if (!match) return undefined;
    const master = mailbox.events.get(match[1] ?? '');
    const compact = match[2] ?? '';
    const date = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
    if (!master?.recurrence || master.cancelledDates.includes(date)) return undefined;
    if (!occurrenceDates(master.recurrence.pattern, master.recurrence.range, date).includes(date))
      return undefined;
    return this.#occurrence(master, date);
  }

  #occurrence(master: StoredEvent, date: string): StoredEvent {
    const zone = master.recurrence?.range.recurrenceTimeZone ?? master.startZone;
    const startMs = occurrenceStart(master.startMs, zone, date);
    return {
      ...structuredClone(master),
      id: `${master.id}_OCC${date.replace(/-/g, '')}`,
      type: 'occurrence',
      seriesMasterId: master.id,
      recurrence: null,
      cancelledDates: [],
      startMs,
      endMs: startMs + (master.endMs - master.startMs),
      originalStartMs: startMs,
    };
  }

  /** Occurrences and exceptions of a series that overlap [fromMs, toMs), by start. */
  instances(mailbox: Mailbox, master: StoredEvent, fromMs: number, toMs: number): StoredEvent[] {
    if (!master.recurrence) return [];
    const zone = master.recurrence.range.recurrenceTimeZone ?? master.startZone;
    const until = localDateOf(toMs + 86_400_000, zone);
    const results: StoredEvent[] = [];
    for (const date of occurrenceDates(master.recurrence.pattern, master.recurrence.range, until)) {
      if (master.cancelledDates.includes(date)) continue;
      const id = `${master.id}_OCC${date.replace(/-/g, '')}`;
      const instance = mailbox.events.get(id) ?? this.#occurrence(master, date);
      if (instance.startMs < toMs && instance.endMs > fromMs) results.push(instance);
    }
    return results.sort((a, b) => a.startMs - b.startMs);
  }

  /** Single events and occurrences overlapping the window, as calendarView returns them. */
  calendarView(mailbox: Mailbox, fromMs: number, toMs: number): StoredEvent[] {
    const results: StoredEvent[] = [];
    for (const event of mailbox.events.values()) {
      if (event.type === 'singleInstance' && event.startMs < toMs && event.endMs > fromMs)
        results.push(event);
      if (event.type === 'seriesMaster') results.push(...this.instances(mailbox, event, fromMs, toMs));
    }
    return results.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
  }

  /** Events as `/events` lists them: single events and series masters, not occurrences. */
  listEvents(mailbox: Mailbox): StoredEvent[] {
    return [...mailbox.events.values()]
      .filter((event) => event.type === 'singleInstance' || event.type === 'seriesMaster')
      .sort((a, b) => a.createdMs - b.createdMs || a.id.localeCompare(b.id));
  }

  updateEvent(mailbox: Mailbox, id: string, input: EventInput): StoredEvent {
    let event = mailbox.events.get(id);
    if (!event) {
      // Changing an occurrence turns it into an exception of its series.
      const occurrence = this.#occurrenceFromId(mailbox, id);
      if (!occurrence) throw notFound();
      event = { ...occurrence, type: 'exception' };
      mailbox.events.set(event.id, event);
    }
    if (event.type === 'exception' && input.recurrence)
      throw badRequest('An occurrence cannot have a recurrence.', 'ErrorInvalidRequest');
    this.#applyInput(event, input, mailbox);
    this.#touch(mailbox, event, 'updated');
    if (event.isOrganizer) this.#syncAttendeeCopies(event);
    return event;
  }

  deleteEvent(mailbox: Mailbox, id: string): void {
    const stored = mailbox.events.get(id);
    const occurrence = stored ? undefined : this.#occurrenceFromId(mailbox, id);
    const target = stored ?? occurrence;
    if (!target) throw notFound();
    if (target.type === 'occurrence' || target.type === 'exception') {
      const master = mailbox.events.get(target.seriesMasterId ?? '');
      if (master && target.originalStartMs !== null) {
        const date = localDateOf(
          target.originalStartMs,
          master.recurrence?.range.recurrenceTimeZone ?? master.startZone,
        );
        master.cancelledDates.push(date);
        if (stored) mailbox.events.delete(id);
        mailbox.changeSeq += 1;
        mailbox.tombstones.push({ id, seq: mailbox.changeSeq });
        this.#touch(mailbox, master, 'updated');
        if (master.isOrganizer) this.#syncAttendeeCopies(master);
      }
      return;
    }
    if (target.type === 'seriesMaster') {
      for (const event of [...mailbox.events.values()]) {
        if (event.seriesMasterId === target.id) mailbox.events.delete(event.id);
      }
    }
    this.#remove(mailbox, id);
    if (target.isOrganizer) this.#cancelAttendeeCopies(target);
  }

  /** accept / decline / tentativelyAccept on an attendee's copy; the organiser's event learns the answer. */
  respond(mailbox: Mailbox, id: string, response: 'accepted' | 'declined' | 'tentativelyAccepted'): void {
    const event = this.getEvent(mailbox, id);
    if (event.isOrganizer) {
      throw badRequest(
        "Your request can't be completed. You can't respond to a meeting you organized.",
        'ErrorInvalidRequest',
      );
    }
    const time = this.#nowIso();
    const organizerMailbox = this.mailboxByAddress(event.organizer.emailAddress.address);
    const master = event.seriesMasterId ? mailbox.events.get(event.seriesMasterId) : undefined;
    const responding = master && event.type === 'occurrence' ? master : event;
    const organizerEvent = organizerMailbox
      ? [...organizerMailbox.events.values()].find(
          (candidate) =>
            candidate.iCalUId === responding.iCalUId &&
            candidate.isOrganizer &&
            candidate.type !== 'exception',
        )
      : undefined;
    if (organizerMailbox && organizerEvent) {
      for (const attendee of organizerEvent.attendees) {
        if (attendee.emailAddress.address.toLowerCase() === mailbox.user.mail.toLowerCase())
          attendee.status = { response, time };
      }
      this.#touch(organizerMailbox, organizerEvent, 'updated');
    }
    if (response === 'declined') {
      // Outlook removes a declined meeting from the attendee's calendar.
      this.deleteEvent(mailbox, responding.id);
      return;
    }
    const stored = mailbox.events.get(responding.id);
    if (stored) {
      stored.responseStatus = { response, time };
      this.#touch(mailbox, stored, 'updated');
    }
  }

  /** Makes every tenant attendee's copy match the organiser's event: create, update, or cancel. */
  #syncAttendeeCopies(organizerEvent: StoredEvent): void {
    const organizerAddress = organizerEvent.organizer.emailAddress.address.toLowerCase();
    const wanted = new Set<string>();
    for (const attendee of organizerEvent.attendees) {
      const mailbox = this.mailboxByAddress(attendee.emailAddress.address);
      if (!mailbox || mailbox.user.mail.toLowerCase() === organizerAddress) continue;
      wanted.add(mailbox.user.id);
      if (organizerEvent.type === 'exception') {
        this.#syncExceptionCopy(mailbox, organizerEvent);
        continue;
      }
      const existing = [...mailbox.events.values()].find(
        (event) => event.iCalUId === organizerEvent.iCalUId && event.type !== 'exception',
      );
      const copy = existing ?? this.#blankEvent(mailbox, newGraphId(), organizerEvent.iCalUId);
      if (!existing) {
        copy.isOrganizer = false;
        copy.responseStatus = { response: 'notResponded', time: '0001-01-01T00:00:00Z' };
        copy.createdMs = this.#clock.now().getTime();
      }
      this.#copyMeetingFields(organizerEvent, copy);
      copy.isCancelled = false;
      mailbox.events.set(copy.id, copy);
      this.#touch(mailbox, copy, existing ? 'updated' : 'created');
    }
    if (organizerEvent.type === 'exception') return;
    for (const mailbox of this.mailboxes.values()) {
      if (wanted.has(mailbox.user.id)) continue;
      for (const event of mailbox.events.values()) {
        if (event.iCalUId === organizerEvent.iCalUId && !event.isOrganizer && !event.isCancelled) {
          event.isCancelled = true;
          event.subject = `Canceled: ${organizerEvent.subject}`;
          this.#touch(mailbox, event, 'updated');
        }
      }
    }
  }

  #syncExceptionCopy(mailbox: Mailbox, organizerException: StoredEvent): void {
    const organizerMasterId = organizerException.seriesMasterId;
    const organizerMailbox = this.mailboxes.get(organizerException.mailboxId);
    const organizerMaster = organizerMasterId ? organizerMailbox?.events.get(organizerMasterId) : undefined;
    const copyMaster = [...mailbox.events.values()].find(
      (event) => event.iCalUId === organizerMaster?.iCalUId && event.type === 'seriesMaster',
    );
    if (!copyMaster || organizerException.originalStartMs === null) return;
    const date = localDateOf(
      organizerException.originalStartMs,
      copyMaster.recurrence?.range.recurrenceTimeZone ?? copyMaster.startZone,
    );
    const copyId = `${copyMaster.id}_OCC${date.replace(/-/g, '')}`;
    const existing = mailbox.events.get(copyId);
    const copy: StoredEvent = existing ?? { ...this.#occurrence(copyMaster, date), type: 'exception' };
    this.#copyMeetingFields(organizerException, copy);
    copy.recurrence = null;
    mailbox.events.set(copy.id, copy);
    this.#touch(mailbox, copy, existing ? 'updated' : 'created');
  }

  #copyMeetingFields(from: StoredEvent, to: StoredEvent): void {
    to.subject = from.subject;
    to.body = { ...from.body };
    to.location = { ...from.location };
    to.locations = from.locations.map((location) => ({ ...location }));
    to.startMs = from.startMs;
    to.endMs = from.endMs;
    to.startZone = from.startZone;
    to.endZone = from.endZone;
    to.isAllDay = from.isAllDay;
    to.attendees = structuredClone(from.attendees);
    to.organizer = structuredClone(from.organizer);
    to.recurrence = from.recurrence ? structuredClone(from.recurrence) : null;
    to.cancelledDates = [...from.cancelledDates];
    to.importance = from.importance;
    to.sensitivity = from.sensitivity;
    to.isOnlineMeeting = from.isOnlineMeeting;
    to.onlineMeetingProvider = from.onlineMeetingProvider;
    to.hideAttendees = from.hideAttendees;
    if (to.type !== 'exception') to.type = from.type;
    if (from.originalStartMs !== null) to.originalStartMs = from.originalStartMs;
  }

  #cancelAttendeeCopies(organizerEvent: StoredEvent): void {
    for (const mailbox of this.mailboxes.values()) {
      for (const event of mailbox.events.values()) {
        if (event.iCalUId === organizerEvent.iCalUId && !event.isOrganizer && !event.isCancelled) {
          event.isCancelled = true;
          event.subject = `Canceled: ${organizerEvent.subject}`;
          this.#touch(mailbox, event, 'updated');
        }
      }
    }
  }

  /** Changes since a delta sequence: instances in the window that changed, and removals. */
  changesSince(
    mailbox: Mailbox,
    sinceSeq: number,
    fromMs: number,
    toMs: number,
  ): { changed: StoredEvent[]; removed: string[] } {
    const changed: StoredEvent[] = [];
    const seen = new Set<string>();
    for (const event of mailbox.events.values()) {
      if (
        event.type === 'singleInstance' &&
        event.changeSeq > sinceSeq &&
        event.startMs < toMs &&
        event.endMs > fromMs
      ) {
        changed.push(event);
      } else if (event.type === 'seriesMaster') {
        for (const instance of this.instances(mailbox, event, fromMs, toMs)) {
          const instanceSeq = mailbox.events.get(instance.id)?.changeSeq ?? 0;
          if ((event.changeSeq > sinceSeq || instanceSeq > sinceSeq) && !seen.has(instance.id)) {
            seen.add(instance.id);
            changed.push(instance);
          }
        }
      }
    }
    const removed = mailbox.tombstones
      .filter((tombstone) => tombstone.seq > sinceSeq)
      .map((tombstone) => tombstone.id);
    return { changed: changed.sort((a, b) => a.startMs - b.startMs), removed: [...new Set(removed)] };
  }
}
