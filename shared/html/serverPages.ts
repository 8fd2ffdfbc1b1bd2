/** Escapes text for HTML element content and double-quoted attributes: every server-written HTML uses it. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The shell of a server-rendered page: no scripts, no outside resources. `title` and `heading` are
 * text (escaped here); `body` is HTML its caller built with `escapeHtml`; `style` is our own CSS.
 */
export function htmlDocument(page: { title: string; heading: string; body: string; style?: string }): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    page.style ? `<style>${page.style}</style>` : '',
    `</head><body><h1>${escapeHtml(page.heading)}</h1>`,
    page.body,
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * Headers of a server-rendered page: never cached, never framed, no referrer (URLs carry codes and
 * states), no scripts or outside resources. Pages with their own CSS or forms say so.
 */
export function serverPageHeaders(
  allow: { inlineStyles?: boolean; formsToSelf?: boolean } = {},
): Readonly<Record<string, string>> {
  const policy = [
    "default-src 'none'",
    ...(allow.inlineStyles ? ["style-src 'unsafe-inline'"] : []),
    ...(allow.formsToSelf ? ["form-action 'self'"] : []),
    "frame-ancestors 'none'",
  ];
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': policy.join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/**
 * A redirect of a sign-in flow: never cached, and no referrer, for its URL carries codes and states.
 * `extraHeaders` adds what the flow needs besides (a cookie).
 */
export function signInRedirect(
  location: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): { status: 302; headers: Record<string, string> } {
  return {
    status: 302,
    headers: { location, ...extraHeaders, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  };
}
