import { describe, expect, it } from 'vitest';
import {
  currentJoinBlock,
  type JoinDetails,
  renderJoinBlockHtml,
  renderJoinBlockText,
  withJoinBlock,
  withoutJoinBlock,
} from '../../../shared/meetings/joinBlock.js';
import { chooseLanguage, joinStringsFor } from '../../../shared/meetings/joinTemplates.js';

const details: JoinDetails = {
  link: 'https://contoso.webex.com/meet/alice',
  sipAddress: 'alice@contoso.webex.com',
  meetingNumber: '2550 123 456',
  dialIn: [{ label: 'US Toll', number: '+1-415-655-0001' }],
};

function block(language: Parameters<typeof joinStringsFor>[0] = 'en', joinDetails = details) {
  const strings = joinStringsFor(language);
  return { html: renderJoinBlockHtml(joinDetails, strings), text: renderJoinBlockText(joinDetails, strings) };
}

describe('the join block in HTML bodies', () => {
  it('when added to an Outlook body, then it sits at the end of <body> and the rest is byte for byte unchanged', () => {
    const original =
      '<html><head><style>p{margin:0}</style></head><body><p>Agenda: budget &amp; plans</p></body></html>';

    const decorated = withJoinBlock({ contentType: 'html', content: original }, block());

    expect(decorated.content).toBe(
      `<html><head><style>p{margin:0}</style></head><body><p>Agenda: budget &amp; plans</p>${block().html}</body></html>`,
    );
    expect(withoutJoinBlock(decorated).content).toBe(original);
  });

  it('when decorated twice, then exactly one block remains, the newer one', () => {
    const once = withJoinBlock({ contentType: 'html', content: '<p>x</p>' }, block('en'));
    const twice = withJoinBlock(once, block('sv'));

    expect(twice.content.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect(twice.content).toContain('Anslut till Webex-mötet');
    expect(currentJoinBlock(twice)).toBe(block('sv').html);
  });

  it('when the body already has a Teams block, then it is kept untouched', () => {
    const teams =
      '<div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0">Join the meeting now</a></div>';
    const decorated = withJoinBlock(
      { contentType: 'html', content: `<html><body>${teams}</body></html>` },
      block(),
    );

    expect(decorated.content.startsWith(`<html><body>${teams}`)).toBe(true);
    expect(withoutJoinBlock(decorated).content).toBe(`<html><body>${teams}</body></html>`);
  });

  it('when the HTML is broken, then the block is added without touching the rest', () => {
    const broken = '<div><p>unclosed <b>bold <table><tr><td>cell</div';

    const decorated = withJoinBlock({ contentType: 'html', content: broken }, block());

    expect(decorated.content.replace(block().html, '')).toBe(broken);
    expect(currentJoinBlock(decorated)).toBe(block().html);
    expect(withoutJoinBlock(decorated).content).toBe(broken);
  });

  it('when the body holds script tags, then they are left as they were and nothing of ours is executable', () => {
    const body = '<html><body><script>alert(1)</script><p>hi</p></body></html>';
    const hostile: JoinDetails = {
      link: 'https://x.webex.com/meet/a"><script>alert(2)</script>',
      sipAddress: '<img src=x onerror=alert(3)>',
      meetingNumber: '<b>1</b>',
      dialIn: [{ label: '<script>', number: '+1 555' }],
    };

    const decorated = withJoinBlock({ contentType: 'html', content: body }, block('en', hostile));
    const ours = currentJoinBlock(decorated) ?? '';

    expect(decorated.content.match(/<script>/g)).toHaveLength(1);
    expect(ours).not.toMatch(/<script|<img|onerror|<b>1/);
    expect(ours).toContain('&lt;script&gt;');
  });

  it('when the body is 1 MB, then decorating and undecorating take well under a second and keep it intact', () => {
    const large = `<html><body>${'<p>line of a very long agenda</p>'.repeat(33_000)}</body></html>`;
    const started = performance.now();

    const decorated = withJoinBlock({ contentType: 'html', content: large }, block());
    const restored = withoutJoinBlock(decorated);

    expect(large.length).toBeGreaterThan(1_000_000);
    expect(restored.content).toBe(large);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('when a link is not https, then no block is rendered', () => {
    expect(() =>
      renderJoinBlockHtml({ ...details, link: 'javascript:alert(1)' }, joinStringsFor('en')),
    ).toThrow();
  });
});

describe('the join block in plain-text bodies', () => {
  it('when added and removed, then the text is restored exactly and only one block is ever present', () => {
    const original = 'Agenda\n- budget\n- plans';

    const once = withJoinBlock({ contentType: 'text', content: original }, block());
    const twice = withJoinBlock(once, block('tr'));

    expect(twice.content.match(/-- Join details \(hybrid-calendar\) --/g)).toHaveLength(1);
    expect(twice.content).toContain('Webex toplantısına katılın');
    expect(withoutJoinBlock(twice).content).toBe(original);
  });
});

describe('language of the block', () => {
  it('when the organiser’s locale is supported, then it is used; otherwise the tenant default, then English', () => {
    expect(chooseLanguage('sv-SE', 'de')).toBe('sv');
    expect(chooseLanguage('ja-JP', null)).toBe('ja');
    expect(chooseLanguage('pt-BR', 'fr-FR')).toBe('fr');
    expect(chooseLanguage('xx', 'yy')).toBe('en');
    expect(chooseLanguage(null, undefined)).toBe('en');
  });

  it('when a tenant overrides a word, then only that word changes', () => {
    const strings = joinStringsFor('de', { de: { heading: 'Jetzt teilnehmen' } });

    expect(strings.heading).toBe('Jetzt teilnehmen');
    expect(strings.link).toBe('Besprechungslink');
  });
});
