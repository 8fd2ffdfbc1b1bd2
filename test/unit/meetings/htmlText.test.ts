import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../shared/meetings/htmlText.js';

describe('htmlToText', () => {
  it('when paragraphs, rows and breaks end lines, then the text has those lines and no tags', () => {
    const html =
      '<html><body><div>Agenda</div><p>1. Budget<br>2. <b>Hiring</b></p><table><tr><td>Room</td><td>12</td></tr></table></body></html>';

    expect(htmlToText(html)).toBe('Agenda\n1. Budget\n2. Hiring\nRoom 12');
  });

  it('when entities are used, then they are read once (an escaped entity stays an entity)', () => {
    expect(
      htmlToText('<p>R&amp;D &lt;team&gt; &quot;Q1&quot; it&#39;s&nbsp;on &#64;webex &amp;lt;</p>'),
    ).toBe('R&D <team> "Q1" it\'s on @webex &lt;');
  });

  it('when the body has scripts and styles, then their content is no text', () => {
    expect(htmlToText('<style>p { color: red }</style><p>Join: <b>here</b></p><SCRIPT>x()</SCRIPT>')).toBe(
      'Join: here',
    );
  });

  it('when a link’s target is asked for, then it stands where the link was; otherwise only its words', () => {
    const html = '<a href="https://teams.microsoft.com/l/meetup-join/19%3a">Join the meeting now</a>';

    expect(htmlToText(html, { linkTargets: true })).toBe(
      'https://teams.microsoft.com/l/meetup-join/19%3a Join the meeting now',
    );
    expect(htmlToText(html)).toBe('Join the meeting now');
  });

  it('when there is no body, then the text is empty', () => {
    expect(htmlToText(undefined)).toBe('');
    expect(htmlToText(null)).toBe('');
    expect(htmlToText('')).toBe('');
  });

  it('when the body is hostile (unclosed scripts, endless brackets), then it is read in well under a second', () => {
    const started = performance.now();

    htmlToText('<script>'.repeat(200_000));
    htmlToText('<'.repeat(1_000_000));
    htmlToText(`<a href="${'x'.repeat(500_000)}`);

    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
