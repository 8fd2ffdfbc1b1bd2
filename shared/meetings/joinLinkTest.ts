import { z } from 'zod';
import { detectMeeting, type MeetingKind, type VideoAddress } from './detection.js';
import { chooseJoinAddresses, type JoinChoice } from './joinLinkChoice.js';

/** An invitation pasted by an administrator to see what the service would make of it. */
export const joinLinkTestInputSchema = z
  .object({
    location: z.string().max(10_000).default(''),
    body: z.string().max(1_000_000),
    bodyType: z.enum(['html', 'text']),
  })
  .strict();
export type JoinLinkTestInput = z.infer<typeof joinLinkTestInputSchema>;

/** What the service detects in an invitation, with the tenant's keywords. */
export interface JoinLinkTestResult {
  keyword: { text: string; kind: MeetingKind } | null;
  addresses: VideoAddress[];
  join: JoinChoice;
}

/**
 * The join-link test bench: the same detection and Join-link choice as event processing, on a
 * pasted invitation. Nothing is stored or logged: the invitation is the administrator's own text.
 */
export function testJoinLink(
  input: JoinLinkTestInput,
  keywords: Readonly<Record<string, MeetingKind>>,
): JoinLinkTestResult {
  const detection = detectMeeting(input, keywords);
  return {
    keyword: detection.keyword ?? null,
    addresses: detection.addresses,
    join: chooseJoinAddresses(detection.addresses),
  };
}
