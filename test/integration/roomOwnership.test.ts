import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import type { GraphCalendarGateway } from '../../shared/adapters/graph/graphCalendarGateway.js';
import { keyOf } from '../../shared/meetings/meetingRecord.js';
import { rebuildRoomBookings } from '../../shared/notifications/rebuildRoomBookings.js';
import { CachedTenantMailDomains } from '../../shared/notifications/tenantMailDomains.js';
import { buildGatewayFor, startTestGraphSimulator } from '../support/graphSimulator.js';
import {
  buildMeetingDetails,
  buildNotifications,
  buildRecord,
  notificationsTenantId,
} from '../support/notificationsBuilders.js';

// A room's booking list is pushed only when the room mailbox is in one of the tenant's verified
// domains, read from Graph `/domains` through the gateway (the simulator serves the demo tenant's).
let simulator: GraphSimulator;
let gateway: GraphCalendarGateway;

beforeAll(async () => {
  simulator = await startTestGraphSimulator({ faultSeed: 1 });
  gateway = buildGatewayFor(simulator);
});

afterAll(async () => {
  await simulator?.stop();
});

describe('room bookings only for the tenant’s own rooms', () => {
  it('when an organiser books the demo tenant’s room and another tenant’s room, then only the demo room’s device gets a list; the other is counted; the domains are read once', async () => {
    const harness = buildNotifications({ now: '2026-11-22T09:01:00Z' });
    let reads = 0;
    const tenantId = simulator.tenant.tenantId;
    harness.context.tenantDomains = new CachedTenantMailDomains(async (tenant) => {
      reads += 1;
      return gateway.listDomains(tenant === notificationsTenantId ? tenantId : tenant);
    }, harness.clock);
    const details = buildMeetingDetails({
      invitees: [
        { name: 'Board Room', address: 'boardroom@contoso.example', type: 'resource', response: 'accepted' },
        { name: 'Their room', address: 'room@fabrikam.example', type: 'resource', response: 'accepted' },
      ],
    });
    await harness.records.save(
      await buildRecord(harness, details, {
        roomKeys: [keyOf('boardroom@contoso.example'), keyOf('room@fabrikam.example')],
      }),
    );
    const rebuild = (roomAddress: string) =>
      rebuildRoomBookings(harness.context, {
        kind: 'room-bookings',
        tenantId: notificationsTenantId,
        roomAddress,
      });

    expect(await rebuild('BoardRoom@Contoso.example')).toBe('pushed');
    expect(await rebuild('room@fabrikam.example')).toBe('other-tenant');
    expect(await rebuild('room@contoso.example.fabrikam.example')).toBe('other-tenant');
    expect([...harness.rooms.lists.keys()]).toEqual(['boardroom@contoso.example']);
    expect(harness.counters.get('join.room-other-tenant')).toBe(2);
    expect(reads).toBe(1);
    // An hour later they are read again (a domain may have been added or removed).
    harness.clock.advanceBy(3_600_001);
    await rebuild('boardroom@contoso.example');
    expect(reads).toBe(2);
  });

  it('when a domain is listed but not verified, then its rooms are not the tenant’s', async () => {
    const harness = buildNotifications();
    const domains = new CachedTenantMailDomains(
      async () => [
        { id: 'contoso.example', isVerified: true },
        { id: 'fabrikam.example', isVerified: false },
      ],
      harness.clock,
    );
    expect(await domains.verifiedDomainsOf('t')).toEqual(['contoso.example']);
  });
});
