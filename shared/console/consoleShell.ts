import { AppError } from '../errors.js';

/** What the browser console needs to sign in: built from the settings, served as JSON. */
export interface ConsoleConfiguration {
  /** Entra ID authority, e.g. `https://login.microsoftonline.com/organizations`. */
  authority: string;
  /** The app registration's client id (the console is its SPA platform). */
  clientId: string;
  /** The scope that asks for a token for this API. */
  scope: string;
  /** The app role an administrator needs. */
  adminRole: string;
}

/** The console's static files, as built by `npm run build`. */
export interface ConsoleAssets {
  /** The file's bytes, or undefined when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
}

/** Everything the console's routes need. */
export interface ConsoleContext {
  configuration: ConsoleConfiguration;
  assets: ConsoleAssets;
}

export function consoleConfiguration(settings: {
  graph: { clientId: string; authorityHost: string };
  apiAuth: { audience: string; adminRole: string };
}): ConsoleConfiguration {
  return {
    authority: `${settings.graph.authorityHost.replace(/\/+$/, '')}/organizations`,
    clientId: settings.graph.clientId,
    scope: `${settings.apiAuth.audience}/access_as_user`,
    adminRole: settings.apiAuth.adminRole,
  };
}

const contentTypes: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  json: 'application/json',
  map: 'application/json',
};

/**
 * The asset a request path names: `''` is the shell (`index.html`). Only plain names of known
 * types, no `..`, no hidden files: anything else is 404 before the file system is asked.
 */
export function assetPathOf(path: string | undefined): { file: string; contentType: string } {
  const file = path && path.length > 0 ? path : 'index.html';
  const extension = /\.([a-z]+)$/.exec(file)?.[1] ?? '';
  const contentType = contentTypes[extension];
  if (
    !contentType ||
    file.length > 200 ||
    !/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:\/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)*$/.test(file)
  )
    throw new AppError('not-found', 'No such console file.');
  return { file, contentType };
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script, no
 * eval), data from this origin and the sign-in authority's token endpoint, never framed.
 */
export function consoleContentSecurityPolicy(configuration: ConsoleConfiguration): string {
  const authority = new URL(configuration.authority).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${authority}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers of every console answer: the policy, no sniffing, no referrer (URLs carry no ids anyway). */
export function consoleHeaders(
  configuration: ConsoleConfiguration,
  contentType: string,
): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': consoleContentSecurityPolicy(configuration),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': contentType.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
  };
}
