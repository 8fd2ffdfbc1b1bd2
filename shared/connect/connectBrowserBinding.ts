import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Ties a "connect your calendar" sign-in to the browser that started it (against login CSRF: a
 * callback URL of someone else's sign-in, opened in a victim's browser, would connect the other
 * account there). The start stores a random nonce with the single-use state and sets a cookie with
 * its hash; the callback goes on only when the cookie's hash matches the state's nonce.
 *
 * The cookie is `Secure` everywhere: in Azure the app is https only, and browsers accept `Secure`
 * cookies from loopback origins (`http://127.0.0.1`, `http://localhost`), which is how the local
 * stack serves the API. `SameSite=Lax` lets the identity platform's top-level redirect carry it;
 * `Path=/api/connect` keeps it off every other route.
 */
export const connectCookieName = 'hc_connect';

/** The state's lifetime: the cookie need not outlive it. */
const cookieMaxAgeSeconds = 600;

const cookieAttributes = 'Path=/api/connect; HttpOnly; Secure; SameSite=Lax';

function hashOf(nonce: string): Buffer {
  return createHash('sha256').update(nonce, 'utf8').digest();
}

/** A fresh nonce for the state, and the `Set-Cookie` value that carries its hash. */
export function newBrowserBinding(): { nonce: string; setCookie: string } {
  const nonce = randomBytes(32).toString('base64url');
  return {
    nonce,
    setCookie: `${connectCookieName}=${hashOf(nonce).toString('base64url')}; Max-Age=${cookieMaxAgeSeconds}; ${cookieAttributes}`,
  };
}

/** The `Set-Cookie` value that removes the cookie: the callback is the binding's single use. */
export const clearBrowserBindingCookie = `${connectCookieName}=; Max-Age=0; ${cookieAttributes}`;

/** The binding cookie's value from a `Cookie` header, when there is one. */
export function presentedBinding(cookieHeader: string | null): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() === connectCookieName) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/** Whether the cookie a browser presented holds the hash of the state's nonce (constant time). */
export function bindingMatches(presented: string | undefined, nonce: string | undefined): boolean {
  if (!presented || !nonce) return false;
  const expected = hashOf(nonce);
  const actual = Buffer.from(presented, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
