import { chooseLanguage } from '../meetings/joinTemplates.js';
import { keyOf, type MeetingDetails, meetingDetailsSchema } from '../meetings/meetingRecord.js';
import { nothingWasDelivered } from './deliveryFailures.js';
import type { JoinDueMessage } from './joinMessages.js';
import type { JoinNotificationsContext } from './joinNotificationsContext.js';
import type { JoinNotice } from './joinNotifier.js';
import { bookedRooms, integrationsRecipient, joinRecipients, roomKey } from './joinScheduling.js';
import { rebuildRoomBookings } from './rebuildRoomBookings.js';

/**
 * What became of a due message. `sent`: at least one channel told the recipient now. `already-sent`:
 * every enabled channel had told them before (a redelivery or a stray copy). The others drop it:
 * `record-gone` (deleted or cancelled since), `moved` (the record starts at another time now; its own
 * message is scheduled for that), `recipient-gone` (declined or removed), `no-join-address`,
 * `no-channel` (the tenant enabled none that reaches this recipient). `room-rebuilt`: the meeting
 * entered a room's booking list, which was pushed again.
 */
export type JoinDeliveryOutcome =
  | 'sent'
  | 'room-rebuilt'
  | 'already-sent'
  | 'record-gone'
  | 'moved'
  | 'recipient-gone'
  | 'no-join-address'
  | 'no-channel';

/** Markers live until a day after the meeting ends; a redelivery later than that finds no record anyway. */
function markerTtlSeconds(endMs: number, nowMs: number): number {
  return Math.max(60, Math.ceil((endMs + 86_400_000 - nowMs) / 1000));
}

/**
 * Sends one due Join notification, at most once per (meeting occurrence, recipient, channel): the
 * record is read again and must still start when the message expected; then each enabled channel
 * claims its delivery marker (a conditional create) before it sends. A send that certainly reached
 * nobody (refused before sending, or answered with a 4xx) releases the marker and the message is
 * retried; any other failure (a timeout, a 5xx, an unreadable answer) and a crash between the claim
 * and the send keep it, losing that one notification rather than risk sending it twice.
 */
export async function deliverJoinNotification(
  context: JoinNotificationsContext,
  message: JoinDueMessage,
): Promise<JoinDeliveryOutcome> {
  const outcome = await deliver(context, message);
  context.counters.increment(`join.${outcome}`);
  return outcome;
}

async function deliver(
  context: JoinNotificationsContext,
  message: JoinDueMessage,
): Promise<JoinDeliveryOutcome> {
  const record = await context.records.find(message.userId, message.recordId);
  if (!record || record.tenantId !== message.tenantId) return 'record-gone';
  if (Date.parse(record.start) !== Date.parse(message.start)) return 'moved';
  const details = await context.cipher.open(record.userId, record.id, record.sealed, meetingDetailsSchema);
  if (!details.join || (!details.join.link && !details.join.sipAddress)) return 'no-join-address';
  if (message.recipient.startsWith('room:')) {
    const room = bookedRooms(details).find((address) => roomKey(address) === message.recipient);
    if (!room) return 'recipient-gone';
    await rebuildRoomBookings(context, {
      kind: 'room-bookings',
      tenantId: record.tenantId,
      roomAddress: room,
    });
    return 'room-rebuilt';
  }
  const settings = await context.tenantSettings.get(record.tenantId);
  const enabled = new Set<string>(settings.joinChannels);
  const notice: JoinNotice = {
    tenantId: record.tenantId,
    meetingKey: keyOf(`${record.tenantId}|${record.userId}|${record.id}|${record.start}`),
    start: record.start,
    end: record.end,
    title: details.subject,
    organizerName: details.organizer.name,
    join: details.join,
  };
  const sendOnce = async (channel: string, send: () => Promise<void>): Promise<boolean> => {
    const id = keyOf(`${notice.meetingKey}|${message.recipient}|${channel}`);
    const now = context.clock.now();
    const claimed = await context.markers.claim({
      id,
      tenantId: record.tenantId,
      channel,
      claimedAt: now.toISOString(),
      ttl: markerTtlSeconds(Date.parse(record.end), now.getTime()),
    });
    if (!claimed) return false;
    try {
      await send();
    } catch (error) {
      // Free the marker for the retry only when the failure proves nobody was told; otherwise keep
      // it: a lost notification rather than a duplicate (at most once).
      if (nothingWasDelivered(error)) await context.markers.release(record.tenantId, id);
      else context.counters.increment(`join.send-uncertain.${channel}`);
      throw error;
    }
    context.counters.increment(`join.sent.${channel}`);
    return true;
  };

  if (message.recipient === integrationsRecipient) {
    const channels = context.integrations.filter((channel) => enabled.has(channel.channel));
    if (channels.length === 0) return 'no-channel';
    let sent = false;
    for (const channel of channels)
      if (await sendOnce(channel.channel, () => channel.notifyIntegrations(notice))) sent = true;
    return sent ? 'sent' : 'already-sent';
  }

  const person = personOf(details, message.recipient);
  if (!person) return 'recipient-gone';
  const channels = context.people.filter((channel) => enabled.has(channel.channel));
  if (channels.length === 0) return 'no-channel';
  const language = chooseLanguage(
    await context.languages.localeOf(record.tenantId, person.address),
    settings.defaultLanguage,
  );
  let sent = false;
  for (const channel of channels)
    if (await sendOnce(channel.channel, () => channel.notifyPerson(notice, { ...person, language })))
      sent = true;
  return sent ? 'sent' : 'already-sent';
}

function personOf(details: MeetingDetails, key: string) {
  return joinRecipients(details).find((person) => person.key === key);
}
