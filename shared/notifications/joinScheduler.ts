import { cancelIfScheduled } from '../bus/messageBus.js';
import { queueNames } from '../bus/queues.js';
import type { Sealed } from '../crypto/envelopeEncryption.js';
import type { JoinBookkeeping, JoinNotificationHooks } from '../meetings/joinNotificationHooks.js';
import {
  keyOf,
  type MeetingDetails,
  type MeetingRecord,
  meetingDetailsSchema,
} from '../meetings/meetingRecord.js';
import type { JoinDueMessage, RoomBookingsMessage } from './joinMessages.js';
import type { JoinNotificationsContext } from './joinNotificationsContext.js';
import {
  bookedRooms,
  bookingHorizonMs,
  dueTimeOf,
  type JoinSchedule,
  joinScheduleSchema,
  planJoinNotifications,
  scheduleChanges,
} from './joinScheduling.js';

/** The sealed schedule is bound to its record under its own name, so it cannot pass for the details. */
export function joinScheduleAad(recordId: string): string {
  return `${recordId}#join`;
}

/** A room's list holds today (UTC) and the next 24 hours; changes outside that leave it alone. */
export function bookingRange(now: Date): { from: Date; to: Date } {
  const from = new Date(now);
  from.setUTCHours(0, 0, 0, 0);
  return { from, to: new Date(now.getTime() + bookingHorizonMs) };
}

type SchedulerContext = Pick<
  JoinNotificationsContext,
  'records' | 'cipher' | 'tenantSettings' | 'bus' | 'clock' | 'counters'
>;

/**
 * Keeps each record's Join notifications in step as the meetings side writes records: scheduled
 * messages on `join-notifications` at start minus the lead time, one per recipient, their sequence
 * numbers sealed in the record; room booking lists rebuilt when a room's meeting changes.
 */
export class JoinNotificationScheduler implements JoinNotificationHooks {
  readonly #context: SchedulerContext;

  constructor(context: SchedulerContext) {
    this.#context = context;
  }

  async beforeSave(
    record: MeetingRecord,
    details: MeetingDetails,
    previous: MeetingRecord | undefined,
  ): Promise<JoinBookkeeping> {
    const context = this.#context;
    const now = context.clock.now();
    const settings = await context.tenantSettings.get(record.tenantId);
    const plan = planJoinNotifications({
      start: new Date(record.start),
      details,
      leadTimeMinutes: settings.leadTimeMinutes,
      now,
    });
    const before = await this.#scheduleOf(previous);
    const changes = scheduleChanges(before, plan);
    await this.#cancel(changes.cancel);
    const added: JoinSchedule['messages'] = [];
    if (plan) {
      for (const recipient of changes.add) {
        const enqueueAt = new Date(Math.max(now.getTime(), dueTimeOf(recipient, plan).getTime()));
        const body: JoinDueMessage = {
          kind: 'join-due',
          tenantId: record.tenantId,
          userId: record.userId,
          recordId: record.id,
          start: plan.start,
          recipient,
        };
        // The time of scheduling is in the id: a meeting moved away and back within the bus's
        // duplicate-detection window must not see its new message dropped as a duplicate.
        const messageId = keyOf(
          `${record.userId}|${record.id}|${plan.start}|${recipient}|${now.toISOString()}`,
        );
        const sequenceNumber = await context.bus.schedule(
          queueNames.joinNotifications,
          { body, messageId },
          enqueueAt,
        );
        added.push({ recipient, sequenceNumber: sequenceNumber.toString() });
      }
      if (changes.add.length > 0) context.counters.increment('join.scheduled', changes.add.length);
    }
    const messages = [...changes.keep, ...added];
    const schedule: JoinSchedule | null =
      plan && messages.length > 0 ? { start: plan.start, dueAt: plan.dueAt, messages } : null;
    return {
      joinSchedule: schedule
        ? await context.cipher.seal(record.userId, joinScheduleAad(record.id), schedule)
        : null,
      roomKeys: details.isOrganizer ? bookedRooms(details).map(keyOf) : [],
    };
  }

  async afterSave(
    record: MeetingRecord,
    details: MeetingDetails,
    previous: MeetingRecord | undefined,
  ): Promise<void> {
    const rooms = new Set(details.isOrganizer && this.#inBookingRange(record) ? bookedRooms(details) : []);
    if (previous?.roomKeys?.length && this.#inBookingRange(previous))
      for (const room of bookedRooms(await this.#detailsOf(previous))) rooms.add(room);
    await this.#rebuildRooms(record.tenantId, rooms);
  }

  async afterRemove(record: MeetingRecord): Promise<void> {
    const schedule = await this.#scheduleOf(record);
    await this.#cancel(schedule?.messages ?? []);
    if (record.roomKeys?.length && this.#inBookingRange(record))
      await this.#rebuildRooms(record.tenantId, new Set(bookedRooms(await this.#detailsOf(record))));
  }

  #inBookingRange(record: MeetingRecord): boolean {
    const range = bookingRange(this.#context.clock.now());
    return Date.parse(record.start) < range.to.getTime() && Date.parse(record.end) > range.from.getTime();
  }

  async #rebuildRooms(tenantId: string, rooms: ReadonlySet<string>): Promise<void> {
    for (const roomAddress of rooms) {
      const body: RoomBookingsMessage = { kind: 'room-bookings', tenantId, roomAddress };
      await this.#context.bus.send(queueNames.joinNotifications, { body });
    }
  }

  async #cancel(messages: JoinSchedule['messages']): Promise<void> {
    for (const message of messages) {
      // Already delivered (or cancelled by an earlier try of this change): nothing left to cancel.
      const sequenceNumber = BigInt(message.sequenceNumber);
      if (await cancelIfScheduled(this.#context.bus, queueNames.joinNotifications, sequenceNumber))
        this.#context.counters.increment('join.cancelled');
    }
  }

  async #scheduleOf(record: MeetingRecord | undefined): Promise<JoinSchedule | null> {
    const sealed: Sealed | null | undefined = record?.joinSchedule;
    if (!record || !sealed) return null;
    return this.#context.cipher.open(record.userId, joinScheduleAad(record.id), sealed, joinScheduleSchema);
  }

  async #detailsOf(record: MeetingRecord): Promise<MeetingDetails> {
    return this.#context.cipher.open(record.userId, record.id, record.sealed, meetingDetailsSchema);
  }
}
