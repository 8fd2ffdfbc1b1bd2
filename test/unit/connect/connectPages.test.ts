import { describe, expect, it } from 'vitest';
import { reconnectUrl } from '../../../shared/connect/connectCalendar.js';
import { renderPage } from '../../../shared/connect/connectPages.js';
import { escapeHtml } from '../../../shared/html/serverPages.js';

describe('the connect pages', () => {
  it('when text carries markup, then the page shows it as text', () => {
    const page = renderPage('<b>x</b>', ['"quoted" & <script>alert(1)</script>', "it's"]);

    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;quoted&quot; &amp;');
    expect(page).toContain('it&#39;s');
    expect(page).toContain('<title>&lt;b&gt;x&lt;/b&gt;</title>');
  });

  it('when every special character is escaped, then none is left raw', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('when a reconnect link is made, then it is /api/connect with the login hint encoded', () => {
    expect(reconnectUrl('https://calendar.example/', 'a+b@contoso.example')).toBe(
      'https://calendar.example/api/connect?login_hint=a%2Bb%40contoso.example',
    );
    expect(reconnectUrl('https://calendar.example')).toBe('https://calendar.example/api/connect');
  });
});
