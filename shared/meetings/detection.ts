import { htmlToText } from './htmlText.js';

/** What a Location keyword asks for: the organiser's Personal Room, or a space meeting for the invitees. */
export type MeetingKind = 'personal-room' | 'space';

export type VideoAddressKind = 'sip' | 'video-address' | 'webex' | 'teams' | 'zoom' | 'google-meet';

export interface VideoAddress {
  kind: VideoAddressKind;
  /** The address as found: a URL, a `sip:` URI, or a bare `user@host` video address. */
  address: string;
}

export interface Detection {
  /** The keyword found in Location, lower-cased, and what it asks for. */
  keyword: { text: string; kind: MeetingKind } | undefined;
  /** Video addresses found in Location or body, first one first, no duplicates. */
  addresses: VideoAddress[];
}

/** Keywords and what they ask for; a tenant can replace the list. Longer ones are matched first. */
export const defaultKeywords: Readonly<Record<string, MeetingKind>> = {
  '@webex': 'personal-room',
  '@webex:myroom': 'personal-room',
  '@meet': 'space',
  '@webex:space': 'space',
};

/** Domains whose bare `user@host` addresses are video addresses (video systems dial them). */
const videoDomains = /(^|\.)(webex\.com|ciscospark\.com|zoomcrc\.com|bjn\.vc|vc\.[a-z0-9-]+\.[a-z]{2,})$/i;

// Patterns are linear (no nested quantifiers) so that adversarial bodies cannot make them backtrack.
const urlPatterns: ReadonlyArray<[VideoAddressKind, RegExp]> = [
  [
    'webex',
    // `/meet/` Personal Rooms, `/m/` space meetings, `/join/`, classic `j.php` and join-service links.
    /https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.webex\.com\/(?:meet|join|m\/|[a-z0-9-]+\/j\.php|wbxmjs\/joinservice)[^\s"'<>]*/gi,
  ],
  ['teams', /https:\/\/teams\.(?:microsoft|live)\.com\/(?:l\/meetup-join|meet)\/[^\s"'<>]+/gi],
  ['zoom', /https:\/\/(?:[a-z0-9-]+\.)?zoom\.us\/(?:j|my|w)\/[^\s"'<>]+/gi],
  ['google-meet', /https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}\b/gi],
];
const sipPattern = /\bsips?:[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,24}\b/gi;
const bareAddressPattern =
  /(?<![a-z0-9._%+/-])([a-z0-9._%+-]{1,64})@([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8})\b/gi;

/** Finds the Location keyword, matched as a whole word, case-insensitively. */
export function findKeyword(
  location: string,
  keywords: Readonly<Record<string, MeetingKind>> = defaultKeywords,
): Detection['keyword'] {
  const lower = location.toLowerCase();
  const candidates = Object.keys(keywords).sort((a, b) => b.length - a.length);
  for (const keyword of candidates) {
    const needle = keyword.toLowerCase();
    let from = 0;
    for (let index = lower.indexOf(needle, from); index >= 0; index = lower.indexOf(needle, from)) {
      const before = index === 0 ? ' ' : (lower[index - 1] ?? ' ');
      const after = lower[index + needle.length] ?? ' ';
      // Inside an e-mail address ("me@webex.com") or a longer word ("@webexteam") it is no keyword.
      if (!/[a-z0-9._%+-]/.test(before) && !/[a-z0-9._%+:-]/.test(after)) {
        return { text: needle, kind: keywords[keyword] as MeetingKind };
      }
      from = index + needle.length;
    }
  }
  return undefined;
}

/** Video addresses in a text: meeting URLs, SIP URIs, and bare addresses at video domains. */
export function findVideoAddresses(text: string): VideoAddress[] {
  const found: Array<VideoAddress & { at: number }> = [];
  for (const [kind, pattern] of urlPatterns) {
    for (const match of text.matchAll(pattern))
      found.push({ kind, address: match[0].replace(/[.,;)]+$/, ''), at: match.index ?? 0 });
  }
  for (const match of text.matchAll(sipPattern))
    found.push({ kind: 'sip', address: match[0], at: match.index ?? 0 });
  for (const match of text.matchAll(bareAddressPattern)) {
    const domain = match[2] ?? '';
    const at = match.index ?? 0;
    // The address part of a SIP URI was found as the URI already.
    if (/sips?:$/i.test(text.slice(Math.max(0, at - 5), at))) continue;
    if (videoDomains.test(domain))
      found.push({ kind: 'video-address', address: match[0], at: match.index ?? 0 });
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .filter((entry) => {
      const key = entry.address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ kind, address }) => ({ kind, address }));
}

/**
 * Everything the service recognises in a meeting: the Location keyword and the video addresses in
 * Location or body. Never throws, whatever the input.
 */
export function detectMeeting(
  input: { location: string | null | undefined; body: string | null | undefined; bodyType?: 'html' | 'text' },
  keywords: Readonly<Record<string, MeetingKind>> = defaultKeywords,
): Detection {
  // Location is plain text; so is a text body, where "<room@acme.webex.com>" is an address, not a tag.
  const location = (input.location ?? '').slice(0, 10_000);
  const body =
    input.bodyType === 'text'
      ? (input.body ?? '').slice(0, 2_000_000)
      : htmlToText(input.body, { linkTargets: true });
  return {
    keyword: findKeyword(location, keywords),
    addresses: findVideoAddresses(`${location}\n${body}`),
  };
}
