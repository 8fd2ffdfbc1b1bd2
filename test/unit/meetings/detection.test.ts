import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectMeeting, findKeyword } from '../../../shared/meetings/detection.js';

describe('findKeyword', () => {
  it('when Location carries a keyword in any case, then it is found with what it asks for', () => {
    expect(findKeyword('Board Room; @WEBEX')).toEqual({ text: '@webex', kind: 'personal-room' });
    expect(findKeyword('@meet')).toEqual({ text: '@meet', kind: 'space' });
    expect(findKeyword('room 4 (@webex:space)')).toEqual({ text: '@webex:space', kind: 'space' });
    expect(findKeyword('@Webex:MyRoom')).toEqual({ text: '@webex:myroom', kind: 'personal-room' });
  });

  it('when the keyword is part of an e-mail address or a longer word, then it is not a keyword', () => {
    expect(findKeyword('ping me@webex.com')).toBeUndefined();
    expect(findKeyword('@webexteam lunch')).toBeUndefined();
    expect(findKeyword('@meeting room')).toBeUndefined();
    expect(findKeyword('team@meet.example')).toBeUndefined();
  });

  it('when a tenant configures its own keywords, then only those count', () => {
    expect(findKeyword('@video', { '@video': 'space' })).toEqual({ text: '@video', kind: 'space' });
    expect(findKeyword('@webex', { '@video': 'space' })).toBeUndefined();
  });
});

describe('detectMeeting on real invitations', () => {
  it('when an Outlook HTML body carries a Teams block, then the Teams join link is found', () => {
    const body = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><div>Agenda</div>
<div style="width:100%"><span style="white-space:nowrap;color:#5F5F5F">________________________________________________________________________________</span></div>
<div class="me-email-text"><span class="me-email-text" style="font-size:24px;font-weight:700">Microsoft Teams meeting</span></div>
<div><a class="me-email-headline" href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzY0YjQ%40thread.v2/0?context=%7b%22Tid%22%3a%22abc%22%7d" target="_blank" rel="noreferrer noopener">Join the meeting now</a></div>
<div>Meeting ID: <span class="me-email-text">345 678 901 234</span></div></body></html>`;

    const detection = detectMeeting({ location: 'Microsoft Teams Meeting', body });

    expect(detection.keyword).toBeUndefined();
    expect(detection.addresses[0]?.kind).toBe('teams');
    expect(detection.addresses[0]?.address).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
  });

  it('when a Zoom invitation is pasted as text, then the Zoom link and the SIP address are found', () => {
    const body = `Alice is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://us02web.zoom.us/j/85512345678?pwd=QWERTYdGhpcw09

Meeting ID: 855 1234 5678
Join by SIP
85512345678@zoomcrc.com`;

    const kinds = detectMeeting({ location: '', body, bodyType: 'text' }).addresses.map(
      (address) => address.kind,
    );

    expect(kinds).toEqual(['zoom', 'video-address']);
  });

  it('when Location holds a SIP URI, a Webex Personal Room and a Meet link, then all are found in order', () => {
    const detection = detectMeeting({
      location: 'sip:boardroom@contoso.example',
      body: '<p>Or join https://contoso.webex.com/meet/alice, or https://meet.google.com/abc-defg-hij.</p>',
    });

    expect(detection.addresses).toEqual([
      { kind: 'sip', address: 'sip:boardroom@contoso.example' },
      { kind: 'webex', address: 'https://contoso.webex.com/meet/alice' },
      { kind: 'google-meet', address: 'https://meet.google.com/abc-defg-hij' },
    ]);
  });

  it('when a body carries a Webex space meeting link (/m/), then it is found as a Webex address', () => {
    const detection = detectMeeting({
      location: 'Webex space',
      body: '<p><a href="https://contoso.webex.com/m/26571234567">Join</a></p>',
    });

    expect(detection.addresses).toEqual([
      { kind: 'webex', address: 'https://contoso.webex.com/m/26571234567' },
    ]);
  });

  it('when the body only has ordinary e-mail addresses, then no video address is found', () => {
    const body =
      'Questions to alice@contoso.example or the helpdesk <help@contoso.com>; cc bob.smith@gmail.com';

    expect(detectMeeting({ location: 'Room 1', body }).addresses).toEqual([]);
  });

  it('when the Location is nothing but @ signs, then nothing is detected and nothing throws', () => {
    expect(detectMeeting({ location: '@'.repeat(10_000), body: '@@@ @ @@ '.repeat(5_000) })).toEqual({
      keyword: undefined,
      addresses: [],
    });
  });
});

describe('detectMeeting, property-based', () => {
  const localPart = fc.stringMatching(/^[a-z0-9._%+-]{1,20}$/);
  const ordinaryDomain = fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      fc.constantFrom('com', 'org', 'example', 'net', 'se', 'com.tr'),
    )
    .map(([name, tld]) => `${name}.${tld}`)
    .filter((domain) => !/webex|zoomcrc|bjn|ciscospark|^vc\./.test(domain));

  it('when given any text at all, then it never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2_000 }), fc.string({ maxLength: 200 }), (body, location) => {
        detectMeeting({ location, body });
      }),
      { numRuns: 500 },
    );
  });

  it('when a body holds ordinary e-mail addresses among any words, then none is taken for a video address or keyword', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(localPart, ordinaryDomain), { minLength: 1, maxLength: 5 }),
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }),
        (addresses, words) => {
          const text = [...words, ...addresses.map(([local, domain]) => `${local}@${domain}`)].join(' ');
          const detection = detectMeeting({ location: text, body: `<p>${text}</p>` });
          expect(
            detection.addresses.filter(
              (address) => address.kind === 'video-address' || address.kind === 'sip',
            ),
          ).toEqual([]);
          expect(detection.keyword).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when an address is at a video domain, then it is found however it is surrounded', () => {
    fc.assert(
      fc.property(
        localPart,
        fc.string({ maxLength: 30 }).map((s) => s.replace(/[a-z0-9@._%+/-]/gi, ' ')),
        (local, noise) => {
          const address = `${local.replace(/^[._%+-]+/, 'a')}@acme.webex.com`;
          const found = detectMeeting({
            location: '',
            body: `${noise}${address}${noise}`,
            bodyType: 'text',
          }).addresses;
          expect(found.map((entry) => entry.address.toLowerCase())).toContain(address.toLowerCase());
        },
      ),
      { numRuns: 300 },
    );
  });
});
