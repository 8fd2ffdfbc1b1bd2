import type { SupportedLanguage } from '../meetings/joinTemplates.js';

/** The channels a Join notification can go through; each tenant enables the ones it wants. */
export const joinChannels = ['webex-message', 'room-bookings', 'cloudevents', 'console'] as const;
export type JoinChannel = (typeof joinChannels)[number];

/** A meeting occurrence about to start, as a channel tells it. */
export interface JoinNotice {
  tenantId: string;
  /** Opaque and stable per meeting occurrence (no personal data): integrations correlate by it. */
  meetingKey: string;
  /** ISO 8601, UTC. */
  start: string;
  end: string;
  title: string;
  organizerName: string | null;
  join: { link: string | null; sipAddress: string | null };
}

/** A person told about a meeting, in their language. */
export interface PersonRecipient {
  /** `person:<keyOf(address)>`: what logs may show instead of the address. */
  key: string;
  address: string;
  name: string | null;
  language: SupportedLanguage;
}

/** A channel that tells people (Webex messages, the console). Throws when the person was not told. */
export interface PersonNotifier {
  readonly channel: JoinChannel;
  notifyPerson(notice: JoinNotice, recipient: PersonRecipient): Promise<void>;
}

/** A channel that tells integrations, once per meeting occurrence (CloudEvents, the console). */
export interface IntegrationNotifier {
  readonly channel: JoinChannel;
  notifyIntegrations(notice: JoinNotice): Promise<void>;
}

/** RoomOS's platforms (`MeetingPlatform`) and dial protocols (`Protocol`) of a booking. */
export type MeetingPlatform = 'Webex' | 'MicrosoftTeams' | 'Zoom' | 'GoogleMeet' | 'Other' | 'None';
export type DialProtocol = 'SIP' | 'Spark' | 'WebRTC' | 'None';

/** One entry of a room device's booking list. */
export interface RoomBooking {
  /** Stable per meeting occurrence, so the device keeps recognising it. */
  id: string;
  title: string;
  start: string;
  /** Minutes. */
  durationMinutes: number;
  organizerName: string;
  number: string;
  protocol: DialProtocol;
  platform: MeetingPlatform;
}

/** Room devices' booking lists (RoomOS through Webex). */
export interface RoomDevices {
  /**
   * Replaces the booking list of the device of the room whose calendar is this mailbox;
   * `no-device` when no workspace has it as its calendar.
   */
  putBookings(roomAddress: string, bookings: readonly RoomBooking[]): Promise<'pushed' | 'no-device'>;
}

/** The language people read, by address; undefined when the directory will not say (external people). */
export interface RecipientLanguages {
  localeOf(tenantId: string, address: string): Promise<string | undefined>;
}

/** A meeting's join address as a room device dials it. */
export function dialOf(join: { link: string | null; sipAddress: string | null }): {
  number: string;
  protocol: DialProtocol;
  platform: MeetingPlatform;
} {
  const platform = platformOf(join.link ?? join.sipAddress ?? '');
  if (join.sipAddress) return { number: join.sipAddress, protocol: 'SIP', platform };
  if (join.link && (platform === 'MicrosoftTeams' || platform === 'GoogleMeet'))
    // RoomOS joins only Teams and Meet over WebRTC.
    return { number: join.link, protocol: 'WebRTC', platform };
  if (join.link && platform === 'Webex') return { number: join.link, protocol: 'Spark', platform };
  return { number: join.link ?? '', protocol: 'None', platform: join.link ? platform : 'None' };
}

function platformOf(address: string): MeetingPlatform {
  const host =
    /^(?:https?:\/\/)?([^/?#]+)/i.exec(address.replace(/^sips?:/i, '').replace(/^[^@/]*@/, ''))?.[1] ?? '';
  const lower = host.toLowerCase();
  if (/(^|\.)webex\.com$/.test(lower)) return 'Webex';
  if (/(^|\.)teams\.microsoft\.com$|(^|\.)teams\.live\.com$/.test(lower)) return 'MicrosoftTeams';
  if (/(^|\.)zoom\.us$|(^|\.)zoomgov\.com$/.test(lower)) return 'Zoom';
  if (lower === 'meet.google.com') return 'GoogleMeet';
  return 'Other';
}
