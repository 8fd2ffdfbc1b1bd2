/** Bodies longer than this are cut before they are read: nobody writes an invitation that long. */
const maxHtmlLength = 2_000_000;

const entities: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  apos: "'",
  '#64': '@',
  commat: '@',
  nbsp: ' ',
  amp: '&',
};

/** Drops `<script>` and `<style>` elements with their content, in one pass over the text. */
function withoutScriptsAndStyles(html: string): string {
  const lower = html.toLowerCase();
  const opening = /<(script|style)\b/g;
  let kept = '';
  let from = 0;
  for (let match = opening.exec(lower); match; match = opening.exec(lower)) {
    const close = lower.indexOf(`</${match[1]}`, match.index);
    // No closing tag: the opening one is dropped like any other tag, and no later element can close.
    if (close < 0) break;
    const end = lower.indexOf('>', close);
    kept += html.slice(from, match.index);
    from = end < 0 ? html.length : end + 1;
    opening.lastIndex = from;
  }
  return kept + html.slice(from);
}

/** Longer than this, a `<…>` is no tag but text: nobody writes tags that long. */
const maxTagLength = 10_000;

/** Replaces each tag, `<` to the next `>`, by what `replacement` makes of it; in one pass over the text. */
function replaceTags(html: string, replacement: (tag: string) => string): string {
  let kept = '';
  let from = 0;
  let close = -1;
  let open = html.indexOf('<');
  while (open >= 0) {
    if (close < open) close = html.indexOf('>', open);
    if (close < 0) break;
    const isTag = close - open <= maxTagLength;
    if (isTag) {
      kept += html.slice(from, open) + replacement(html.slice(open, close + 1));
      from = close + 1;
    }
    open = html.indexOf('<', isTag ? from : open + 1);
  }
  return kept + html.slice(from);
}

/**
 * The text of an HTML body as a reader sees it: scripts and styles dropped, line breaks where
 * paragraphs, rows and `<br>` end lines, every other tag a word break, entities read, spaces
 * collapsed. With `linkTargets`, a link's target is kept where the link was, for detection: Teams
 * writes "Join the meeting now" over the URL that matters. Linear in the input, whatever it holds.
 */
export function htmlToText(html: string | null | undefined, options: { linkTargets?: boolean } = {}): string {
  if (!html) return '';
  const text = replaceTags(withoutScriptsAndStyles(html.slice(0, maxHtmlLength)), (tag) => {
    if (/^<(?:br\b|\/(?:p|div|tr|li|h[1-6])\b)/i.test(tag)) return '\n';
    const href = options.linkTargets ? /\shref\s*=\s*["']([^"']{1,4000})["']/i.exec(tag)?.[1] : undefined;
    return href ? ` ${href} ` : ' ';
  });
  return text
    .replace(
      /&(lt|gt|quot|#39|apos|#64|commat|nbsp|amp);/gi,
      (_, name: string) => entities[name.toLowerCase()] ?? '',
    )
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
