import { createHash } from 'node:crypto';
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import type { EventBody } from '../calendar/calendarEvent.js';
import { escapeHtml } from '../html/serverPages.js';
import type { JoinStrings } from './joinTemplates.js';

/** What a join block shows; every value is checked before it is written anywhere. */
export interface JoinDetails {
  link: string;
  sipAddress: string | null;
  meetingNumber: string | null;
  dialIn: Array<{ label: string; number: string }>;
}

/**
 * Our block in HTML bodies carries this id and this attribute; it is the only element we ever add or
 * remove. Either is enough to find it again, should Exchange rewrite the other.
 */
const blockAttribute = 'data-hybrid-calendar-join';
const blockId = 'hybrid-calendar-join';
const textStart = '-- Join details (hybrid-calendar) --';
const textEnd = '-- end of join details --';

/** Only https links, SIP addresses and phone numbers of the expected shapes reach a body. */
export function checkedJoinDetails(details: JoinDetails): JoinDetails {
  const link = new URL(details.link);
  if (link.protocol !== 'https:') throw new Error('join link must be https');
  const sip =
    details.sipAddress && /^[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,253}$/i.test(details.sipAddress)
      ? details.sipAddress
      : null;
  const number =
    details.meetingNumber && /^[0-9 ]{3,20}$/.test(details.meetingNumber) ? details.meetingNumber : null;
  const dialIn = details.dialIn.filter((entry) => /^\+?[0-9 ()-]{3,30}$/.test(entry.number)).slice(0, 5);
  return { link: link.toString(), sipAddress: sip, meetingNumber: number, dialIn };
}

export function renderJoinBlockHtml(details: JoinDetails, strings: JoinStrings): string {
  const safe = checkedJoinDetails(details);
  const lines = [
    `<p><strong>${escapeHtml(strings.heading)}</strong></p>`,
    `<p>${escapeHtml(strings.link)}: <a href="${escapeHtml(safe.link)}">${escapeHtml(safe.link)}</a></p>`,
    ...(safe.meetingNumber
      ? [`<p>${escapeHtml(strings.meetingNumber)}: ${escapeHtml(safe.meetingNumber)}</p>`]
      : []),
    ...(safe.sipAddress
      ? [
          `<p>${escapeHtml(strings.videoSystem)}: <a href="sip:${escapeHtml(safe.sipAddress)}">${escapeHtml(safe.sipAddress)}</a></p>`,
        ]
      : []),
    ...safe.dialIn.map(
      (entry) =>
        `<p>${escapeHtml(strings.phone)}: ${escapeHtml(entry.number)} (${escapeHtml(entry.label)})</p>`,
    ),
  ];
  return `<div id="${blockId}" ${blockAttribute}="v1">${lines.join('')}</div>`;
}

export function renderJoinBlockText(details: JoinDetails, strings: JoinStrings): string {
  const safe = checkedJoinDetails(details);
  return [
    textStart,
    strings.heading,
    `${strings.link}: ${safe.link}`,
    ...(safe.meetingNumber ? [`${strings.meetingNumber}: ${safe.meetingNumber}`] : []),
    ...(safe.sipAddress ? [`${strings.videoSystem}: sip:${safe.sipAddress}`] : []),
    ...safe.dialIn.map(
      (entry) => `${strings.phone}: ${entry.number} (${entry.label.replace(/[\r\n]/g, ' ')})`,
    ),
    textEnd,
  ].join('\n');
}

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

/** Where our blocks sit in an HTML body, and where the body element closes; offsets into the source. */
function locate(html: string): {
  blocks: Array<{ start: number; end: number }>;
  bodyEnd: number | undefined;
} {
  const document = parse(html, { sourceCodeLocationInfo: true });
  const blocks: Array<{ start: number; end: number }> = [];
  let bodyEnd: number | undefined;
  const stack: Node[] = [document];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (isElement(node)) {
      const location = node.sourceCodeLocation;
      const ours = node.attrs.some(
        (attribute) =>
          attribute.name === blockAttribute || (attribute.name === 'id' && attribute.value === blockId),
      );
      if (ours && location) {
        blocks.push({ start: location.startOffset, end: location.endOffset });
        continue;
      }
      if (node.tagName === 'body' && location?.endTag) bodyEnd = location.endTag.startOffset;
    }
    if ('childNodes' in node) stack.push(...node.childNodes);
  }
  return { blocks: blocks.sort((a, b) => a.start - b.start), bodyEnd };
}

/** Removes our block (every copy of it); the rest of the body stays byte for byte as it was. */
export function withoutJoinBlock(body: EventBody): EventBody {
  if (body.contentType === 'text') {
    const pattern = new RegExp(
      `\\n*${textStart.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}[\\s\\S]*?${textEnd.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\n?`,
      'g',
    );
    return { contentType: 'text', content: body.content.replace(pattern, '') };
  }
  const { blocks } = locate(body.content);
  let content = body.content;
  for (const block of [...blocks].reverse())
    content = content.slice(0, block.start) + content.slice(block.end);
  return { contentType: 'html', content };
}

/** The body with exactly one join block: any old one removed, the new one at the end of the body element. */
export function withJoinBlock(body: EventBody, block: { html: string; text: string }): EventBody {
  const clean = withoutJoinBlock(body);
  if (clean.contentType === 'text') {
    const separator = clean.content.length === 0 || clean.content.endsWith('\n') ? '\n' : '\n\n';
    return { contentType: 'text', content: `${clean.content}${separator}${block.text}\n` };
  }
  const { bodyEnd } = locate(clean.content);
  // Without a closing body tag, the end of the text; but before a tag left unterminated at the end,
  // which would otherwise swallow our block.
  const lastOpen = clean.content.lastIndexOf('<');
  const at = bodyEnd ?? (lastOpen > clean.content.lastIndexOf('>') ? lastOpen : clean.content.length);
  return {
    contentType: 'html',
    content: `${clean.content.slice(0, at)}${block.html}${clean.content.slice(at)}`,
  };
}

/** The block currently in a body, as written; undefined when there is none. */
export function currentJoinBlock(body: EventBody): string | undefined {
  if (body.contentType === 'text') {
    const start = body.content.indexOf(textStart);
    const end = body.content.indexOf(textEnd, start);
    return start >= 0 && end > start ? body.content.slice(start, end + textEnd.length) : undefined;
  }
  const [first] = locate(body.content).blocks;
  return first ? body.content.slice(first.start, first.end) : undefined;
}

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
