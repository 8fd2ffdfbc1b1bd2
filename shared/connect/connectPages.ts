import { escapeHtml, htmlDocument, serverPageHeaders } from '../html/serverPages.js';

/** A small page of its own: no scripts, no external resources, everything escaped. */
export function renderPage(title: string, paragraphs: readonly string[]): string {
  const body = paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n');
  return htmlDocument({ title, heading: title, body });
}

/** Headers of every page: never cached, never framed, no scripts or outside resources. */
export const pageHeaders = serverPageHeaders();
