import type { VideoAddress } from './detection.js';

/** What a meeting's record and the meetings list offer to join with. */
export interface JoinChoice {
  /** The Join link: the first web meeting link found (Webex, Teams, Zoom, Google Meet). */
  link: string | null;
  /** The first SIP URI or bare video address, without its `sip:` scheme. */
  sipAddress: string | null;
}

/** Picks the Join link and the video address from what detection found, first found first. */
export function chooseJoinAddresses(found: readonly VideoAddress[]): JoinChoice {
  const link = found.find((address) => address.kind !== 'sip' && address.kind !== 'video-address')?.address;
  const sip = found.find((address) => address.kind === 'sip' || address.kind === 'video-address')?.address;
  return { link: link ?? null, sipAddress: sip?.replace(/^sips?:/i, '') ?? null };
}
