import { z } from 'zod';
import type { CalendarEvent } from '../calendar/calendarEvent.js';
import { type Detection, detectMeeting, type MeetingKind } from './detection.js';
import { currentJoinBlock, withoutJoinBlock } from './joinBlock.js';
import type { SupportedLanguage } from './joinTemplates.js';

/**
 * The marker on a decorated event: what was written and a hash of it, stored with the event (the
 * calendar adapter knows where). Present with the same kind and language while the block is still in
 * the body: nothing to write, so no write, no update mail.
 */
const markerSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['personal-room', 'space', 'none']),
  lang: z.string(),
  hash: z.string(),
  /** The Webex space of an `@meet` meeting, so later invitees can be added to it. */
  spaceId: z.string().optional(),
});
export type DecorationMarker = z.infer<typeof markerSchema>;

/** The event's marker, or undefined when it has none or one this version cannot read. */
export function readMarker(event: Pick<CalendarEvent, 'decorationMarker'>): DecorationMarker | undefined {
  if (!event.decorationMarker) return undefined;
  try {
    const parsed = markerSchema.safeParse(JSON.parse(event.decorationMarker));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The marker's text, as it is stored with the event. */
export function markerText(marker: DecorationMarker): string {
  return JSON.stringify(marker);
}

export type DecorationPlan =
  | { action: 'none'; rule: string }
  | { action: 'write'; rule: string; kind: MeetingKind }
  | { action: 'remove'; rule: string };

/**
 * What to do with the organiser's copy. Detection reads the body without our block, so our own
 * link never counts as the organiser's video address.
 */
export function planDecoration(
  event: CalendarEvent,
  keywords: Readonly<Record<string, MeetingKind>>,
  language: SupportedLanguage,
): { plan: DecorationPlan; detection: Detection } {
  const body = event.body;
  const detection = detectMeeting(
    {
      location: event.location,
      body: withoutJoinBlock(body).content,
      bodyType: body.contentType,
    },
    keywords,
  );
  const marker = readMarker(event);
  const blockPresent = currentJoinBlock(body) !== undefined;
  if (detection.keyword) {
    if (marker?.kind === detection.keyword.kind && marker.lang === language && blockPresent) {
      return {
        plan: { action: 'none', rule: `keyword ${detection.keyword.text}: already decorated` },
        detection,
      };
    }
    return {
      plan: { action: 'write', rule: `keyword ${detection.keyword.text}`, kind: detection.keyword.kind },
      detection,
    };
  }
  if (blockPresent || (marker && marker.kind !== 'none')) {
    return { plan: { action: 'remove', rule: 'keyword removed' }, detection };
  }
  const [address] = detection.addresses;
  return {
    plan: {
      action: 'none',
      rule: address ? `video address (${address.kind}): not decorated` : 'no keyword or video address',
    },
    detection,
  };
}
