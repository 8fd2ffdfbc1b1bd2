import { z } from 'zod';
import type { GraphEvent } from '../adapters/graph/graphModels.js';
import { type Detection, detectMeeting, type MeetingKind } from './detection.js';
import { currentJoinBlock, type EventBody, withoutJoinBlock } from './joinBlock.js';
import type { SupportedLanguage } from './joinTemplates.js';

/**
 * The marker on a decorated event: a single-value extended property (MAPI named property in the
 * service's own property set) holding what was written and a hash of it. Present with the same kind
 * and language while the block is still in the body: nothing to write, so no PATCH, no update mail.
 */
export const markerPropertyId = 'String {8c4f2e61-3b7a-4d1e-9f05-6a2d7c9e1b43} Name HybridCalendarJoinBlock';

const markerSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['personal-room', 'space', 'none']),
  lang: z.string(),
  hash: z.string(),
  /** The Webex space of an `@meet` meeting, so later invitees can be added to it. */
  spaceId: z.string().optional(),
});
export type DecorationMarker = z.infer<typeof markerSchema>;

export function readMarker(event: GraphEvent): DecorationMarker | undefined {
  const property = event.singleValueExtendedProperties?.find(
    (candidate) => candidate.id.toLowerCase() === markerPropertyId.toLowerCase(),
  );
  if (!property?.value) return undefined;
  try {
    const parsed = markerSchema.safeParse(JSON.parse(property.value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function eventBody(event: GraphEvent): EventBody {
  return { contentType: event.body?.contentType ?? 'html', content: event.body?.content ?? '' };
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
  event: GraphEvent,
  keywords: Readonly<Record<string, MeetingKind>>,
  language: SupportedLanguage,
): { plan: DecorationPlan; detection: Detection } {
  const body = eventBody(event);
  const detection = detectMeeting(
    {
      location: event.location?.displayName,
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
