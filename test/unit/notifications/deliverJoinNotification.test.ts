import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { keyOf } from '../../../shared/meetings/meetingRecord.js';
import { deliverJoinNotification } from '../../../shared/notifications/deliverJoinNotification.js';
import type { JoinDueMessage } from '../../../shared/notifications/joinMessages.js';
import { integrationsRecipient, personKey, roomKey } from '../../../shared/notifications/joinScheduling.js';
import {
  buildMeetingDetails,
  buildNotifications,
  buildRecord,
  notificationsTenantId,
  organizerId,
} from '../../support/notificationsBuilders.js';

/** What fetch throws when the request never left: a TypeError caused by the socket's error code. */
function unreachable(code: string): AppError {
  const socketError = Object.assign(new Error(code), { code });
  return new AppError('dependency-unavailable', 'Webex: unreachable', {
    cause: new TypeError('fetch failed', { cause: socketError }),
  });
}

function timedOut(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

function dueMessage(overrides: Partial<JoinDueMessage> = {}): JoinDueMessage {
  return {
    kind: 'join-due',
    tenantId: notificationsTenantId,
    userId: organizerId,
    recordId: 'record-1',
    start: '2026-11-23T09:00:00.000Z',
    recipient: personKey('bjorn@contoso.example'),
    ...overrides,
  };
}

describe('delivering a due Join notification', () => {
  it('when it is due, then the recipient is told once, in their language, with the meeting’s join address', async () => {
    const harness = buildNotifications({ locales: { 'bjorn@contoso.example': 'sv-SE' } });
    await harness.records.save(await buildRecord(harness));

    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('sent');
    expect(harness.people.sent).toHaveLength(1);
    expect(harness.people.sent[0]?.recipient).toMatchObject({
      address: 'bjorn@contoso.example',
      language: 'sv',
    });
    expect(harness.people.sent[0]?.notice.join.link).toBe('https://contoso.webex.com/meet/alice');
  });

  it('when the same message is delivered again (redelivery, a stray copy), then nobody is told twice', async () => {
    const harness = buildNotifications();
    await harness.records.save(await buildRecord(harness));
    await deliverJoinNotification(harness.context, dueMessage());
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('already-sent');
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('already-sent');
    expect(harness.people.sent).toHaveLength(1);
  });

  it.each([
    ['the connection was refused', () => unreachable('ECONNREFUSED')],
    ['the name did not resolve', () => unreachable('ENOTFOUND')],
    ['Webex answered 429', () => new AppError('throttled', 'Webex: throttled', { retryAfterMs: 1000 })],
    ['Webex answered 400', () => new AppError('request-rejected', 'Webex: answered 400')],
  ])(
    'when sending fails because %s (nothing delivered), then the marker is released and the retry sends it, once',
    async (_why, failure) => {
      const harness = buildNotifications();
      await harness.records.save(await buildRecord(harness));
      harness.people.failNext = 1;
      harness.people.failWith = failure;
      await expect(deliverJoinNotification(harness.context, dueMessage())).rejects.toThrow();
      expect(harness.markers.markers.size).toBe(0);
      expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('sent');
      expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('already-sent');
      expect(harness.people.sent).toHaveLength(1);
    },
  );

  it.each([
    [
      'it timed out',
      () => new AppError('dependency-unavailable', 'Webex: unreachable', { cause: timedOut() }),
    ],
    ['Webex answered 503', () => new AppError('dependency-unavailable', 'Webex: answered 503')],
    [
      'Webex answered 200 with an unreadable body',
      () => new AppError('dependency-unavailable', 'Webex: unexpected answer'),
    ],
    ['the connection broke', () => unreachable('ECONNRESET')],
  ])(
    'when sending fails because %s (maybe delivered), then the marker is kept: the retry sends nothing (at most once)',
    async (_why, failure) => {
      const harness = buildNotifications();
      await harness.records.save(await buildRecord(harness));
      harness.people.failNext = 1;
      harness.people.failWith = failure;
      await expect(deliverJoinNotification(harness.context, dueMessage())).rejects.toThrow();
      expect(harness.markers.markers.size).toBe(1);
      expect(harness.counters.get('join.send-uncertain.webex-message')).toBe(1);
      expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('already-sent');
      expect(harness.people.sent).toHaveLength(0);
    },
  );

  it('when the meeting moved since the message was scheduled, then it is dropped and counted', async () => {
    const harness = buildNotifications();
    await harness.records.save(
      await buildRecord(harness, buildMeetingDetails(), { start: '2026-11-23T10:00:00.000Z' }),
    );
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('moved');
    expect(harness.people.sent).toEqual([]);
    expect(harness.counters.snapshot()).toMatchObject({ 'join.moved': 1 });
  });

  it('when the record is gone (cancelled, deleted), then it is dropped', async () => {
    const harness = buildNotifications();
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('record-gone');
  });

  it('when the recipient has declined since, then they are not told', async () => {
    const harness = buildNotifications();
    const details = buildMeetingDetails();
    details.invitees = details.invitees.map((invitee) =>
      invitee.address === 'bjorn@contoso.example' ? { ...invitee, response: 'declined' } : invitee,
    );
    await harness.records.save(await buildRecord(harness, details));
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('recipient-gone');
  });

  it('when the tenant turned the channel off, then nothing is sent', async () => {
    const harness = buildNotifications({ settings: { joinChannels: ['room-bookings'] } });
    await harness.records.save(await buildRecord(harness));
    expect(await deliverJoinNotification(harness.context, dueMessage())).toBe('no-channel');
    expect(
      await deliverJoinNotification(harness.context, dueMessage({ recipient: integrationsRecipient })),
    ).toBe('no-channel');
  });

  it('when a room’s entry is due, then the room’s whole booking list is pushed with the meeting, SIP mapped', async () => {
    const harness = buildNotifications({ now: '2026-11-22T09:01:00Z' });
    await harness.records.save(
      await buildRecord(harness, buildMeetingDetails(), { roomKeys: [keyOf('boardroom@contoso.example')] }),
    );
    expect(
      await deliverJoinNotification(
        harness.context,
        dueMessage({ recipient: roomKey('boardroom@contoso.example') }),
      ),
    ).toBe('room-rebuilt');
    expect(harness.rooms.lists.get('boardroom@contoso.example')).toEqual([
      expect.objectContaining({
        title: 'Quarterly review',
        number: 'alice@contoso.webex.com',
        protocol: 'SIP',
        platform: 'Webex',
        durationMinutes: 30,
      }),
    ]);
  });

  it('when the organiser has no display name, then the room shows a neutral "Organizer", never their e-mail address', async () => {
    const harness = buildNotifications({ now: '2026-11-22T09:01:00Z' });
    const details = buildMeetingDetails({ organizer: { name: null, address: 'alice@contoso.example' } });
    await harness.records.save(
      await buildRecord(harness, details, { roomKeys: [keyOf('boardroom@contoso.example')] }),
    );
    await deliverJoinNotification(
      harness.context,
      dueMessage({ recipient: roomKey('boardroom@contoso.example') }),
    );
    const pushed = harness.rooms.lists.get('boardroom@contoso.example');
    expect(pushed?.[0]?.organizerName).toBe('Organizer');
    expect(JSON.stringify(pushed)).not.toContain('alice@contoso.example');
  });

  it('when an organiser invited a room of another tenant, then that room’s device gets no list and it is counted', async () => {
    const harness = buildNotifications({ now: '2026-11-22T09:01:00Z' });
    const details = buildMeetingDetails({
      invitees: [
        { name: 'Their room', address: 'room@fabrikam.example', type: 'resource', response: 'accepted' },
      ],
    });
    await harness.records.save(
      await buildRecord(harness, details, { roomKeys: [keyOf('room@fabrikam.example')] }),
    );
    expect(
      await deliverJoinNotification(
        harness.context,
        dueMessage({ recipient: roomKey('room@fabrikam.example') }),
      ),
    ).toBe('room-rebuilt');
    expect(harness.rooms.lists.size).toBe(0);
    expect(harness.counters.get('join.room-other-tenant')).toBe(1);
  });

  it('when the integrations are due, then they are told once per meeting occurrence', async () => {
    const harness = buildNotifications();
    await harness.records.save(await buildRecord(harness));
    await deliverJoinNotification(harness.context, dueMessage({ recipient: integrationsRecipient }));
    await deliverJoinNotification(harness.context, dueMessage({ recipient: integrationsRecipient }));
    expect(harness.integrations.sent).toHaveLength(1);
  });
});
