import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../../dev/inProcessBus.js';
import { graphNotificationReader } from '../../../shared/adapters/graph/graphChangeNotifications.js';
import { Counters } from '../../../shared/observability/counters.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { ClientStateSigner } from '../../../shared/watch/clientState.js';
import { DroppedNotificationSummary } from '../../../shared/watch/droppedNotifications.js';
import {
  acceptChangeNotifications,
  acceptLifecycleNotifications,
  type IntakeContext,
} from '../../../shared/watch/notificationIntake.js';

const tenantId = '8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f';
const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
let bus: InProcessBus;
let context: IntakeContext;

function buildNotification(overrides: Record<string, unknown> = {}) {
  return {
    subscriptionId: 'sub-1',
    subscriptionExpirationDateTime: '2026-11-29T10:00:00Z',
    changeType: 'created',
    resource: `Users/${userId}/Events/AAMkAG1=`,
    resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.etag': 'W/"ck1"', id: 'AAMkAG1=' },
    clientState: context.clientState.create(tenantId, userId),
    tenantId,
    ...overrides,
  };
}

beforeEach(() => {
  const clock = new ManualClock('2026-11-22T10:00:00Z');
  bus = new InProcessBus({ clock });
  context = {
    bus,
    clock,
    clientState: new ClientStateSigner(Buffer.alloc(32, 3)),
    notifications: graphNotificationReader,
    counters: new Counters(),
    droppedNotifications: new DroppedNotificationSummary(clock),
  };
});

afterEach(async () => {
  await bus.close();
});

describe('acceptChangeNotifications', () => {
  it('when a notification verifies, then one event-changes message carries its ids and change key', async () => {
    const result = await acceptChangeNotifications(context, { value: [buildNotification()] });
    const { recent } = bus.diagnostics('event-changes');

    expect(result).toEqual({ accepted: 1, dropped: 0 });
    expect(recent).toHaveLength(1);
    expect(recent[0]?.body).toEqual({
      version: 1,
      tenantId,
      userId,
      eventId: 'AAMkAG1=',
      changeType: 'created',
      changeKey: 'ck1',
      source: 'notification',
      subscriptionId: 'sub-1',
      observedAt: '2026-11-22T10:00:00.000Z',
    });
    expect(recent[0]?.messageId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when Graph delivers the same notification twice, then the second collapses on its MessageId', async () => {
    const notification = buildNotification();

    await acceptChangeNotifications(context, { value: [notification] });
    await acceptChangeNotifications(context, { value: [notification] });

    expect(bus.diagnostics('event-changes')).toMatchObject({ sent: 1, duplicatesDropped: 1 });
  });

  it('when the clientState is forged or made for another user, then nothing is queued and the drop is counted', async () => {
    const forged = buildNotification({ clientState: `v1.${userId}.bm9uY2U.${'A'.repeat(43)}` });
    const otherUsers = buildNotification({
      clientState: context.clientState.create(tenantId, '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02'),
    });
    const missing = buildNotification({ clientState: undefined });

    const result = await acceptChangeNotifications(context, { value: [forged, otherUsers, missing] });

    expect(result).toEqual({ accepted: 0, dropped: 3 });
    expect(bus.diagnostics('event-changes').sent).toBe(0);
    expect(context.counters.get('notifications.dropped.forged')).toBe(3);
  });

  it('when the body is not a notification collection, then nothing is queued and it counts as malformed', async () => {
    for (const body of [{}, { value: 'x' }, [1, 2], { value: [{ subscriptionId: 'x' }] }, null]) {
      expect((await acceptChangeNotifications(context, body)).accepted).toBe(0);
    }
    const badResource = await acceptChangeNotifications(context, {
      value: [buildNotification({ resource: 'Users/x/Messages/y' })],
    });

    expect(badResource).toEqual({ accepted: 0, dropped: 1 });
    expect(bus.diagnostics('event-changes').sent).toBe(0);
    expect(context.counters.get('notifications.dropped.malformed')).toBe(6);
  });

  it('when a batch mixes good and forged notifications, then only the good ones are queued', async () => {
    const good = buildNotification({
      resourceData: { id: 'AAMkAG2=', '@odata.etag': 'W/"ck2"' },
      resource: `Users/${userId}/Events/AAMkAG2=`,
    });
    const result = await acceptChangeNotifications(context, {
      value: [good, buildNotification({ clientState: 'v1.x.y.z' })],
    });

    expect(result).toEqual({ accepted: 1, dropped: 1 });
  });
});

describe('acceptLifecycleNotifications', () => {
  it('when a lifecycle notification verifies, then it is queued for the lifecycle consumer, user taken from the clientState', async () => {
    const {
      resource: _resource,
      changeType: _changeType,
      resourceData: _resourceData,
      ...lifecycle
    } = buildNotification({ lifecycleEvent: 'missed' });

    const result = await acceptLifecycleNotifications(context, { value: [lifecycle] });

    expect(result).toEqual({ accepted: 1, dropped: 0 });
    expect(bus.diagnostics('subscription-lifecycle').recent[0]?.body).toMatchObject({
      userId,
      subscriptionId: 'sub-1',
      lifecycleEvent: 'missed',
    });
  });

  function buildLifecycle(overrides: Record<string, unknown> = {}) {
    const {
      resource: _resource,
      changeType: _changeType,
      resourceData: _resourceData,
      ...lifecycle
    } = buildNotification({ lifecycleEvent: 'missed', ...overrides });
    return lifecycle;
  }

  it('when two missed notifications with the same expiry arrive a second apart, then both are queued', async () => {
    const clock = context.clock as ManualClock;

    await acceptLifecycleNotifications(context, { value: [buildLifecycle()] });
    clock.advanceBy(1_000);
    await acceptLifecycleNotifications(context, { value: [buildLifecycle()] });

    expect(bus.diagnostics('subscription-lifecycle')).toMatchObject({ sent: 2, duplicatesDropped: 0 });
  });

  it('when Graph delivers the same lifecycle notification twice within the second, then the second collapses', async () => {
    const clock = context.clock as ManualClock;
    const notification = buildLifecycle({ lifecycleEvent: 'subscriptionRemoved' });

    await acceptLifecycleNotifications(context, { value: [notification] });
    clock.advanceBy(300);
    await acceptLifecycleNotifications(context, { value: [notification] });

    expect(bus.diagnostics('subscription-lifecycle')).toMatchObject({ sent: 1, duplicatesDropped: 1 });
  });

  it('when lifecycle notifications carry Graph’s own id, then the id alone tells redeliveries from new events', async () => {
    const clock = context.clock as ManualClock;

    await acceptLifecycleNotifications(context, { value: [buildLifecycle({ id: 'n-1' })] });
    clock.advanceBy(30_000);
    await acceptLifecycleNotifications(context, { value: [buildLifecycle({ id: 'n-1' })] });
    await acceptLifecycleNotifications(context, { value: [buildLifecycle({ id: 'n-2' })] });

    expect(bus.diagnostics('subscription-lifecycle')).toMatchObject({ sent: 2, duplicatesDropped: 1 });
  });

  it('when subscriptionExpirationDateTime is not an ISO date-time, then the notification counts as malformed', async () => {
    const result = await acceptLifecycleNotifications(context, {
      value: [buildLifecycle({ subscriptionExpirationDateTime: 'next tuesday' }), buildLifecycle()],
    });

    expect(result).toMatchObject({ accepted: 1, dropped: 1 });
    expect(context.counters.get('lifecycle.dropped.malformed')).toBe(1);
  });

  it('when a lifecycle notification is forged, then it is dropped', async () => {
    const result = await acceptLifecycleNotifications(context, {
      value: [buildNotification({ lifecycleEvent: 'subscriptionRemoved', clientState: 'v1.a.b.c' })],
    });

    expect(result).toEqual({ accepted: 0, dropped: 1 });
  });
});
