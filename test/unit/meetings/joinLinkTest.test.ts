import { describe, expect, it } from 'vitest';
import { defaultKeywords } from '../../../shared/meetings/detection.js';
import { previewJoinBlocks } from '../../../shared/meetings/joinBlockPreview.js';
import { chooseJoinAddresses } from '../../../shared/meetings/joinLinkChoice.js';
import { testJoinLink } from '../../../shared/meetings/joinLinkTest.js';

const teamsHtml = `<html><body><div>Microsoft Teams meeting</div>
<a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x">Join the meeting now</a>
<a href="https://aka.ms/JoinTeamsMeeting">Learn more</a></body></html>`;
const zoomText = `Join Zoom Meeting
https://us02web.zoom.us/j/85012345678?pwd=abc
Join by SIP
85012345678@zoomcrc.com
Questions: someone@contoso.example`;

describe('the join-link test bench', () => {
  it('when a Teams invitation (HTML) is pasted, then its meeting link is the Join link and no keyword is found', () => {
    const result = testJoinLink({ location: '', body: teamsHtml, bodyType: 'html' }, defaultKeywords);

    expect(result.keyword).toBeNull();
    expect(result.join.link).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(result.addresses.map((address) => address.kind)).toEqual(['teams']);
  });

  it('when a Zoom invitation (text) is pasted, then the Zoom link is the Join link and the SIP address is kept; mail is no address', () => {
    const result = testJoinLink({ location: '@webex', body: zoomText, bodyType: 'text' }, defaultKeywords);

    expect(result.keyword).toEqual({ text: '@webex', kind: 'personal-room' });
    expect(result.join).toEqual({
      link: 'https://us02web.zoom.us/j/85012345678?pwd=abc',
      sipAddress: '85012345678@zoomcrc.com',
    });
    expect(result.addresses.some((address) => address.address.includes('contoso'))).toBe(false);
  });

  it('when the tenant replaced the keywords, then only its own are found', () => {
    expect(
      testJoinLink({ location: '@webex', body: '', bodyType: 'text' }, { '@video': 'space' }).keyword,
    ).toBeNull();
    expect(
      testJoinLink({ location: 'Room 4 @video', body: '', bodyType: 'text' }, { '@video': 'space' }).keyword,
    ).toEqual({ text: '@video', kind: 'space' });
  });

  it('when only SIP addresses are found, then there is no Join link and the first is the video address', () => {
    expect(
      chooseJoinAddresses([
        { kind: 'sip', address: 'sip:room@example.webex.com' },
        { kind: 'video-address', address: 'other@example.webex.com' },
      ]),
    ).toEqual({ link: null, sipAddress: 'room@example.webex.com' });
  });
});

describe('the join-block preview', () => {
  it('when no templates are set, then every supported language shows its built-in words', () => {
    const previews = previewJoinBlocks();

    expect(previews.map((preview) => preview.language)).toEqual(['en', 'sv', 'tr', 'de', 'fr', 'es', 'ja']);
    expect(previews.find((preview) => preview.language === 'sv')?.html).toContain('Anslut till Webex-mötet');
    expect(previews[0]?.text).toContain('https://example.webex.com/meet/sample');
  });

  it('when one language’s heading is changed, then only that language’s block changes, escaped', () => {
    const previews = previewJoinBlocks({ de: { heading: 'Jetzt <b>beitreten</b>' } });

    expect(previews.find((preview) => preview.language === 'de')?.html).toContain(
      'Jetzt &lt;b&gt;beitreten&lt;/b&gt;',
    );
    expect(previews.find((preview) => preview.language === 'en')?.html).toContain('Join the Webex meeting');
  });
});
