import { keyOf, meetingDetailsSchema } from '../meetings/meetingRecord.js';
import type { RoomBookingsMessage } from './joinMessages.js';
import type { JoinNotificationsContext } from './joinNotificationsContext.js';
import { dialOf, type RoomBooking } from './joinNotifier.js';
import { bookingRange } from './joinScheduler.js';
import { isInDomains } from './tenantMailDomains.js';

/** RoomOS refuses titles above 128 characters. */
const maxTitleLength = 128;

/**
 * Pushes a room's whole booking list (today and the next 24 hours) to its device: `Bookings.Put`
 * replaces the list, so it is rebuilt from every organiser's record that books the room. Only a room
 * whose mailbox is in one of the tenant's verified domains is pushed.
 */
export async function rebuildRoomBookings(
  context: Pick<
    JoinNotificationsContext,
    'records' | 'cipher' | 'rooms' | 'tenantSettings' | 'tenantDomains' | 'clock' | 'counters'
  >,
  message: RoomBookingsMessage,
): Promise<'pushed' | 'no-device' | 'disabled' | 'other-tenant'> {
  const settings = await context.tenantSettings.get(message.tenantId);
  if (!settings.joinChannels.includes('room-bookings')) return 'disabled';
  const roomAddress = message.roomAddress.trim().toLowerCase();
  // The device is found by its calendar e-mail across every workspace the Webex token sees, and the
  // list is built from this tenant's records only: a room of another tenant (invited by one of this
  // tenant's organisers) would have its whole list replaced. Only the tenant's own rooms get pushed.
  if (!isInDomains(roomAddress, await context.tenantDomains.verifiedDomainsOf(message.tenantId))) {
    context.counters.increment('join.room-other-tenant');
    return 'other-tenant';
  }
  const records = await context.records.bookingRoom(
    message.tenantId,
    keyOf(roomAddress),
    bookingRange(context.clock.now()),
  );
  const bookings: RoomBooking[] = [];
  for (const record of records) {
    const details = await context.cipher.open(record.userId, record.id, record.sealed, meetingDetailsSchema);
    const dial = dialOf(details.join ?? { link: null, sipAddress: null });
    bookings.push({
      id: keyOf(`${record.userId}|${record.id}`).slice(0, 32),
      title: (details.subject || '(no title)').slice(0, maxTitleLength),
      start: record.start,
      durationMinutes: Math.min(
        1440,
        Math.max(1, Math.round((Date.parse(record.end) - Date.parse(record.start)) / 60_000)),
      ),
      // Shown on the room's screen to whoever walks in: a name, never an e-mail address.
      organizerName: details.organizer.name?.trim() || 'Organizer',
      ...dial,
    });
  }
  const outcome = await context.rooms.putBookings(roomAddress, bookings);
  context.counters.increment(`join.rooms.${outcome}`);
  return outcome;
}
