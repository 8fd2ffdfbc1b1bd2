import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../../../shared/adapters/graph/calendarGateway.js';
import {
  graphSubscriptionSchema,
  mailboxSettingsSchema,
} from '../../../../shared/adapters/graph/graphModels.js';
import { GraphRequestError } from '../../../../shared/adapters/graph/graphRequestError.js';
import {
  availabilityFromBatchResult,
  calendarChangesFromDelta,
  languageFromMailboxSettings,
  mailboxFailureFromGraph,
  mailboxProbeStep,
  renewalFromBatchResult,
  renewalStep,
  subscriptionFromGraph,
  subscriptionRequestToGraph,
} from '../../../../shared/adapters/graph/subscriptionMapping.js';
import { isCalendarServiceError } from '../../../../shared/calendar/calendarServiceError.js';
import { hasErrorCode } from '../../../../shared/errors.js';

// Literal Graph v1.0 JSON, as the service answers (shapes from the Graph reference's examples).
const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';

const subscriptionJson = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
  id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  resource: `/users/${userId}/events`,
  applicationId: '24d3b144-21ae-4080-943f-7067b395b913',
  changeType: 'created,updated,deleted',
  clientState: 'v1.1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01.nonce.mac',
  notificationUrl: 'https://calendar.contoso.example/api/notifications',
  lifecycleNotificationUrl: 'https://calendar.contoso.example/api/lifecycle',
  expirationDateTime: '2026-11-29T08:40:00.9356913Z',
  creatorId: '8ee44408-0679-472c-bc2a-692812af3437',
  latestSupportedTlsVersion: 'v1_2',
  notificationContentType: 'application/json',
  includeResourceData: false,
  encryptionCertificate: null,
  encryptionCertificateId: null,
  notificationQueryOptions: null,
};

function batchAnswer(overrides: Partial<BatchResult>): BatchResult {
  return { id: '1', status: 200, headers: { 'content-type': 'application/json' }, body: null, ...overrides };
}

function graphError(status: number, graphCode: string): GraphRequestError {
  return new GraphRequestError(status === 404 ? 'not-found' : 'request-rejected', {
    status,
    graphCode,
    requestId: 'c2f6a7a0-1d5b-4b4e-9b8e-6c3f0a2d1e4f',
    message: `GET /users/{id}/calendarView/delta: Graph answered ${status} ${graphCode}`,
  });
}

describe('subscriptions between Graph and the watch', () => {
  it('when the watch subscribes a mailbox, then Graph is asked for every change to the user’s events', () => {
    const expiresAt = new Date('2026-11-29T08:40:00Z');

    expect(
      subscriptionRequestToGraph({
        mailbox: { tenantId: 'contoso', userId },
        notificationUrl: 'https://calendar.contoso.example/api/notifications',
        lifecycleNotificationUrl: 'https://calendar.contoso.example/api/lifecycle',
        expiresAt,
        clientState: 'state',
      }),
    ).toEqual({
      resource: `/users/${userId}/events`,
      changeType: 'created,updated,deleted',
      notificationUrl: 'https://calendar.contoso.example/api/notifications',
      lifecycleNotificationUrl: 'https://calendar.contoso.example/api/lifecycle',
      expirationDateTime: expiresAt,
      clientState: 'state',
    });
  });

  it('when Graph returns a subscription, then the watch sees its id, user, URL and expiry instant', () => {
    expect(subscriptionFromGraph(graphSubscriptionSchema.parse(subscriptionJson))).toEqual({
      id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
      userId,
      notificationUrl: 'https://calendar.contoso.example/api/notifications',
      expiresAt: new Date('2026-11-29T08:40:00.935Z'),
    });
  });

  it('when a subscription’s resource names no user or another casing, then the user is read as Graph wrote it', () => {
    const other = graphSubscriptionSchema.parse({
      ...subscriptionJson,
      resource: "me/mailFolders('Inbox')/messages",
    });
    const cased = graphSubscriptionSchema.parse({
      ...subscriptionJson,
      resource: `Users/${userId}/Calendar/Events`,
    });

    expect(subscriptionFromGraph(other).userId).toBeUndefined();
    expect(subscriptionFromGraph(cased).userId).toBe(userId);
  });

  it('when Graph returns an expiry that is no date, then the answer is refused as unexpected', () => {
    const broken = graphSubscriptionSchema.parse({ ...subscriptionJson, expirationDateTime: 'soon' });

    const failure = (() => {
      try {
        return subscriptionFromGraph(broken);
      } catch (error) {
        return error;
      }
    })();

    expect(isCalendarServiceError(failure) && failure.serviceCode).toBe('unexpected-response');
  });
});

describe('renewals in a $batch', () => {
  it('when a subscription is renewed, then the step patches its expiry under the subscription’s id', () => {
    expect(renewalStep('7f105c7d-2dc5-4530-97cd-4e7ae6534c07', new Date('2026-11-29T08:40:00Z'))).toEqual({
      id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
      method: 'PATCH',
      url: '/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
      body: { expirationDateTime: '2026-11-29T08:40:00.000Z' },
    });
  });

  it('when Graph answers 200 with the subscription, then it is renewed until the expiry Graph set', () => {
    expect(renewalFromBatchResult(batchAnswer({ body: subscriptionJson }))).toEqual({
      outcome: 'renewed',
      expiresAt: new Date('2026-11-29T08:40:00.935Z'),
    });
  });

  it('when Graph answers 404, then the subscription is gone', () => {
    const body = {
      error: {
        code: 'ResourceNotFound',
        message: 'The object was not found.',
        innerError: {
          date: '2026-11-22T10:00:00',
          'request-id': 'c2f6a7a0',
          'client-request-id': 'c2f6a7a0',
        },
      },
    };

    expect(renewalFromBatchResult(batchAnswer({ status: 404, body }))).toEqual({ outcome: 'gone' });
  });

  it('when Graph answers anything else, no body or no answer at all, then the renewal failed', () => {
    const throttled = {
      error: { code: 'TooManyRequests', message: 'Please retry after 10 seconds.' },
    };

    expect(renewalFromBatchResult(batchAnswer({ status: 429, body: throttled }))).toEqual({
      outcome: 'failed',
    });
    expect(renewalFromBatchResult(batchAnswer({ status: 200, body: { id: 'x' } }))).toEqual({
      outcome: 'failed',
    });
    expect(renewalFromBatchResult(undefined)).toEqual({ outcome: 'failed' });
  });
});

describe('mailbox checks in a $batch', () => {
  it('when a mailbox is probed, then the step reads one setting of it under the user’s id', () => {
    expect(mailboxProbeStep(userId)).toEqual({
      id: userId,
      method: 'GET',
      url: `/users/${userId}/mailboxSettings?$select=timeZone`,
    });
  });

  it('when Graph answers the probe, then the mailbox is available', () => {
    const settings = {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${userId}')/mailboxSettings(timeZone)`,
      timeZone: 'W. Europe Standard Time',
    };

    expect(availabilityFromBatchResult(batchAnswer({ body: settings }))).toBe('available');
  });

  it.each([
    ['MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'],
    [
      'Request_ResourceNotFound',
      `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
    ],
    ['ResourceNotFound', 'Resource could not be discovered.'],
  ])('when Graph answers 404 %s, then the mailbox is gone', (code, message) => {
    const body = { error: { code, message, innerError: { 'request-id': 'c2f6a7a0' } } };

    expect(availabilityFromBatchResult(batchAnswer({ status: 404, body }))).toBe('gone');
  });

  it('when Graph answers another failure or none, then the mailbox’s state is unknown', () => {
    const denied = { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } };
    const otherNotFound = { error: { code: 'ErrorItemNotFound', message: 'The item was not found.' } };

    expect(availabilityFromBatchResult(batchAnswer({ status: 403, body: denied }))).toBe('unknown');
    expect(availabilityFromBatchResult(batchAnswer({ status: 404, body: otherNotFound }))).toBe('unknown');
    expect(availabilityFromBatchResult(batchAnswer({ status: 503, body: null }))).toBe('unknown');
    expect(availabilityFromBatchResult(undefined)).toBe('unknown');
  });
});

describe('calendar changes and settings', () => {
  it('when a delta round returns events and removals, then the watch sees their ids, change keys and the next link', () => {
    const changes = calendarChangesFromDelta({
      events: [
        { id: 'AAMkAGI2TGuLAAA=', changeKey: 'DwAAABYAAAAf' },
        { id: 'AAMkAGI2TGuMAAA=', changeKey: null },
      ],
      removedIds: ['AAMkAGI2TGuNAAA='],
      deltaLink:
        'https://graph.microsoft.com/v1.0/users/1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4',
    });

    expect(changes).toEqual({
      changed: [
        { eventId: 'AAMkAGI2TGuLAAA=', changeKey: 'DwAAABYAAAAf' },
        { eventId: 'AAMkAGI2TGuMAAA=', changeKey: undefined },
      ],
      removedEventIds: ['AAMkAGI2TGuNAAA='],
      deltaLink:
        'https://graph.microsoft.com/v1.0/users/1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4',
    });
  });

  it('when a delta round lists occurrences of a series, then their master is listed too, once and without a change key', () => {
    const changes = calendarChangesFromDelta({
      events: [
        { id: 'AAMkAGI2TGuOAAA=', changeKey: 'DwAAABYAAAAg', seriesMasterId: 'AAMkAGI2TGuMAAA=' },
        { id: 'AAMkAGI2TGuPAAA=', changeKey: 'DwAAABYAAAAh', seriesMasterId: 'AAMkAGI2TGuMAAA=' },
        { id: 'AAMkAGI2TGuLAAA=', changeKey: 'DwAAABYAAAAf', seriesMasterId: null },
      ],
      removedIds: [],
      deltaLink:
        'https://graph.microsoft.com/v1.0/users/1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01/calendarView/delta?$deltatoken=R1',
    });

    expect(changes.changed).toEqual([
      { eventId: 'AAMkAGI2TGuOAAA=', changeKey: 'DwAAABYAAAAg' },
      { eventId: 'AAMkAGI2TGuPAAA=', changeKey: 'DwAAABYAAAAh' },
      { eventId: 'AAMkAGI2TGuLAAA=', changeKey: 'DwAAABYAAAAf' },
      { eventId: 'AAMkAGI2TGuMAAA=', changeKey: undefined },
    ]);
  });

  it('when mailbox settings carry a locale, then that is the mailbox’s language, else there is none', () => {
    const settings = mailboxSettingsSchema.parse({
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${userId}')/mailboxSettings`,
      timeZone: 'W. Europe Standard Time',
      language: { locale: 'sv-SE', displayName: 'svenska (Sverige)' },
      automaticRepliesSetting: { status: 'disabled', externalAudience: 'all' },
    });

    expect(languageFromMailboxSettings(settings)).toBe('sv-SE');
    expect(languageFromMailboxSettings(mailboxSettingsSchema.parse({ timeZone: 'UTC' }))).toBeUndefined();
    expect(
      languageFromMailboxSettings(mailboxSettingsSchema.parse({ language: { locale: null } })),
    ).toBeUndefined();
  });
});

describe('failures on a mailbox', () => {
  it('when Graph says the user does not exist (404 Request_ResourceNotFound), then the mailbox is gone', () => {
    const mapped = mailboxFailureFromGraph(graphError(404, 'Request_ResourceNotFound'));

    expect(hasErrorCode(mapped, 'mailbox-gone')).toBe(true);
    expect(isCalendarServiceError(mapped) && [mapped.status, mapped.serviceCode, mapped.requestId]).toEqual([
      404,
      'Request_ResourceNotFound',
      'c2f6a7a0-1d5b-4b4e-9b8e-6c3f0a2d1e4f',
    ]);
  });

  it('when Graph fails otherwise, then the failure is passed on as it was', () => {
    const missingEvent = graphError(404, 'ErrorItemNotFound');
    const infrastructure = new Error('socket hang up');

    expect(mailboxFailureFromGraph(missingEvent)).toBe(missingEvent);
    expect(mailboxFailureFromGraph(infrastructure)).toBe(infrastructure);
  });
});
