import { describe, expect, it } from 'vitest';
import { enableRequestSchema, selectionOf } from '../../../shared/onboarding/enablementJobs.js';
import {
  consentDeclinedPage,
  onboardedPage,
  pageHeaders,
  signInFailedPage,
} from '../../../shared/onboarding/onboardingPages.js';

describe('onboarding pages', () => {
  it('when an error description from the redirect holds markup, then the page shows it as text', () => {
    const hostile = '<script>alert(1)</script>" onload="x';

    for (const page of [consentDeclinedPage(hostile, hostile), signInFailedPage(hostile, hostile)]) {
      expect(page.html).not.toContain('<script>');
      expect(page.html).not.toContain('" onload="');
      expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onload=&quot;x');
    }
  });

  it('when a mailbox name or a domain holds markup, then the onboarded page escapes it, forms included', () => {
    const page = onboardedPage(
      {
        id: 'a4d7e2f1-6c3b-4e8a-9f5d-1b2c3d4e5f60',
        consentedAt: '2026-11-27T10:00:00.000Z',
        adminObjectId: '2f0e5c9b-0001-4d4a-8b8f-6c7d8e9fa001',
        domains: ['<b>evil</b>.example'],
        updatedAt: '2026-11-27T10:00:00.000Z',
      },
      'session"><script>',
      { mailboxTest: { mailbox: '<img src=x>@x', outcome: { ok: true } } },
    );

    expect(page.html).not.toMatch(/<b>|<img|<script>/);
    expect(page.html).toContain('value="session&quot;&gt;&lt;script&gt;"');
  });

  it('when a page is served, then it is not cached, framed, or given a referrer, and runs no script', () => {
    expect(pageHeaders).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(pageHeaders['content-security-policy']).toContain("default-src 'none'");
    expect(pageHeaders['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('the enable request of the admin API', () => {
  it('when it names object ids, principal names, a group or every mailbox, then each is accepted alone', () => {
    const bodies = [
      { userIds: ['2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003'] },
      { userPrincipalNames: ['olga@fabrikam.example'] },
      { groupId: '3a1f6d0c-0001-4e5b-9c9a-7d8e9fab0001' },
      { allUsersWithMailbox: true },
    ];

    expect(bodies.map((body) => selectionOf(enableRequestSchema.parse(body))?.kind)).toEqual([
      undefined,
      'principal-names',
      'group',
      'all-with-mailbox',
    ]);
  });

  it('when it mixes two selections, or names something invalid, then it is refused', () => {
    for (const body of [
      { userIds: ['2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003'], groupId: '3a1f6d0c-0001-4e5b-9c9a-7d8e9fab0001' },
      { userPrincipalNames: ['not an address'] },
      { userPrincipalNames: ['a@b.example', 'A@b.example'] },
      { userPrincipalNames: [] },
      { groupId: 'sales' },
      { allUsersWithMailbox: false },
      {},
    ])
      expect(enableRequestSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
