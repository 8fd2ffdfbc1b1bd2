import { z } from 'zod';
import { hasErrorCode } from '../../errors.js';
import type { RoomBooking, RoomDevices } from '../../notifications/joinNotifier.js';
import type { Clock } from '../../time/clock.js';
import { callWebex } from './webexApi.js';

const workspacesSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      calendar: z.object({ type: z.string().nullish(), emailAddress: z.string().nullish() }).nullish(),
    }),
  ),
});
const devicesSchema = z.object({
  items: z.array(z.object({ id: z.string(), workspaceId: z.string().nullish() })),
});
const commandResultSchema = z.object({}).passthrough();

/** How long a room's device is remembered (and a room without one): workspaces change rarely. */
const mappingLifetimeMs = 3_600_000;
/** Seconds a device offers the Join button before the start (RoomOS's `StartTimeBuffer`). */
const startTimeBufferSeconds = 300;

/**
 * Room devices through Webex: the device of a room is the one in the workspace whose calendar e-mail
 * is the room mailbox (`GET /workspaces`, matched here since the API has no e-mail filter; then
 * `GET /devices?workspaceId=`), remembered for an hour; its booking list is replaced with the cloud
 * xAPI command `Bookings.Put`.
 */
export class WebexRoomDevices implements RoomDevices {
  readonly #options: { baseUrl: string; accessToken: string };
  readonly #clock: Clock;
  readonly #devices = new Map<string, { deviceId: string | null; expiresAt: number }>();

  constructor(options: { baseUrl: string; accessToken: string; clock: Clock }) {
    this.#options = { baseUrl: options.baseUrl, accessToken: options.accessToken };
    this.#clock = options.clock;
  }

  async putBookings(roomAddress: string, bookings: readonly RoomBooking[]): Promise<'pushed' | 'no-device'> {
    const deviceId = await this.#deviceOf(roomAddress.toLowerCase());
    if (!deviceId) return 'no-device';
    try {
      await callWebex(
        this.#options,
        {
          method: 'POST',
          path: '/xapi/command/Bookings.Put',
          body: { deviceId, arguments: {}, body: { Bookings: bookings.map(roomOsBooking) } },
          what: 'POST /xapi/command/Bookings.Put',
        },
        commandResultSchema,
      );
    } catch (error) {
      // The device may have left the workspace: look it up again next time.
      if (hasErrorCode(error, 'request-rejected') || hasErrorCode(error, 'not-found'))
        this.#devices.delete(roomAddress.toLowerCase());
      throw error;
    }
    return 'pushed';
  }

  async #deviceOf(roomAddress: string): Promise<string | null> {
    const now = this.#clock.now().getTime();
    const cached = this.#devices.get(roomAddress);
    if (cached && cached.expiresAt > now) return cached.deviceId;
    // One page of up to 1,000 workspaces: enough for the organisations this serves today.
    const workspaces = await callWebex(
      this.#options,
      { method: 'GET', path: '/workspaces?max=1000', what: 'GET /workspaces' },
      workspacesSchema,
    );
    const workspace = workspaces.items.find(
      (item) => item.calendar?.emailAddress?.toLowerCase() === roomAddress,
    );
    let deviceId: string | null = null;
    if (workspace) {
      const devices = await callWebex(
        this.#options,
        {
          method: 'GET',
          path: `/devices?workspaceId=${encodeURIComponent(workspace.id)}`,
          what: 'GET /devices',
        },
        devicesSchema,
      );
      deviceId = devices.items[0]?.id ?? null;
    }
    this.#devices.set(roomAddress, { deviceId, expiresAt: now + mappingLifetimeMs });
    return deviceId;
  }
}

/** A booking as RoomOS's `Bookings Put` takes it. */
export function roomOsBooking(booking: RoomBooking) {
  return {
    Id: booking.id,
    Title: booking.title,
    Number: booking.number,
    Protocol: booking.protocol,
    MeetingPlatform: booking.platform,
    Organizer: { Name: booking.organizerName },
    Time: {
      StartTime: booking.start,
      Duration: booking.durationMinutes,
      StartTimeBuffer: startTimeBufferSeconds,
      EndTimeBuffer: 0,
    },
  };
}
