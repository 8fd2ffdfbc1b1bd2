import { describe, expect, it } from 'vitest';
import {
  assetPathOf,
  consoleConfiguration,
  consoleContentSecurityPolicy,
  consoleHeaders,
} from '../../../shared/console/consoleShell.js';

const configuration = consoleConfiguration({
  graph: {
    clientId: 'b6a2f0c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c',
    authorityHost: 'https://login.microsoftonline.com/',
  },
  apiAuth: { audience: 'api://b6a2f0c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c', adminRole: 'HybridCalendar.Admin' },
});

describe('the console shell', () => {
  it('when configured from the settings, then it signs in at the organizations authority for the API scope', () => {
    expect(configuration).toEqual({
      authority: 'https://login.microsoftonline.com/organizations',
      clientId: 'b6a2f0c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c',
      scope: 'api://b6a2f0c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c/access_as_user',
      adminRole: 'HybridCalendar.Admin',
    });
  });

  it('when the policy is built, then only this origin runs scripts and only it and the authority are called', () => {
    const policy = consoleContentSecurityPolicy(configuration);

    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self' https://login.microsoftonline.com;");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it.each([
    [undefined, 'index.html', 'text/html; charset=utf-8'],
    ['', 'index.html', 'text/html; charset=utf-8'],
    ['console.js', 'console.js', 'text/javascript; charset=utf-8'],
    ['swagger/swagger-ui.css', 'swagger/swagger-ui.css', 'text/css; charset=utf-8'],
  ])('when %j is asked for, then %s is served as %s', (path, file, contentType) => {
    expect(assetPathOf(path)).toEqual({ file, contentType });
  });

  it.each([
    '../composition.js',
    '..%2Fsecrets.json',
    'swagger/../../host.json',
    '.env',
    'endpoints.json.bak',
    '/etc/passwd.html',
    'a//b.js',
    `${'a'.repeat(200)}.js`,
  ])('when %j is asked for, then it is 404 before the file system is asked', (path) => {
    expect(() => assetPathOf(path)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('when a page is served, then it carries the policy, no sniffing and no referrer', () => {
    expect(consoleHeaders(configuration, 'text/html; charset=utf-8')).toMatchObject({
      'content-security-policy': expect.stringContaining("default-src 'self'"),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
  });
});
