import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '../../dev/localStack.js';
import {
  type MeetingRecord,
  meetingDetailsSchema,
  meetingRecords,
} from '../../shared/meetings/meetingRecord.js';
import { requestEnablement } from '../../shared/onboarding/enablementJobs.js';
import { offboardedContainers } from '../../shared/onboarding/offboarding.js';
import { applyPresenceReading } from '../../shared/presence/presenceTracking.js';
import { allContainerLayouts, containerLayouts } from '../../shared/store/containers.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { startInProcessStack } from '../support/inProcessStack.js';

// Offboarding the demo tenant with the real consumers, Cosmos and the Graph simulator: afterwards
// no container holds a document of the tenant, its data keys are gone, and a sealed record kept
// from before (a backup) can no longer be opened. Another tenant's documents stay.
let stack: RunningLocalStack;
let tenantId: string;
let userIds: string[];
const otherTenant = 'a4d7e2f1-6c3b-4e8a-9f5d-1b2c3d4e5f60';

seedFaultsForEachTest(() => [stack?.graph, stack?.webex]);

async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await stack.graph.subscriptions.settle();
    await stack.bus.idle();
  }
}

/** Every document of every container, read straight from Cosmos. */
async function everyDocument(): Promise<Array<{ container: string; document: Record<string, unknown> }>> {
  const cosmos = new CosmosClient({
    endpoint: stack.endpoints.cosmos.endpoint,
    key: stack.endpoints.cosmos.key,
  });
  try {
    const database = cosmos.database(stack.endpoints.cosmos.database);
    const found: Array<{ container: string; document: Record<string, unknown> }> = [];
    for (const layout of allContainerLayouts) {
      const { resources } = await database.container(layout.containerId).items.readAll().fetchAll();
      for (const document of resources) found.push({ container: layout.containerId, document });
    }
    return found;
  } finally {
    cosmos.dispose();
  }
}

/** Whether a document belongs to the offboarded tenant: it names the tenant or one of its users. */
function ofTenant(document: Record<string, unknown>): boolean {
  const text = JSON.stringify(document).toLowerCase();
  return text.includes(tenantId) || userIds.some((id) => text.includes(id.toLowerCase()));
}

/** An API token of the demo tenant's administrator (Alice holds the admin app role). */
async function adminToken(): Promise<string> {
  const admin = stack.graph.tenant.users.find((user) => user.appRoles?.includes('HybridCalendar.Admin'));
  if (!admin) throw new Error('the demo tenant has no administrator');
  return stack.graph.identity.issueApiUserToken(admin);
}

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.endpoints.tenantId;
  userIds = stack.endpoints.users.map((user) => user.id);
});

afterAll(async () => {
  await stack?.stop();
});

describe('offboarding a tenant', () => {
  let report: { tenantId: string; removed: Record<string, number> };
  let backup: MeetingRecord | undefined;
  /** An onboarding form session of the tenant's administrator, issued before offboarding. */
  let formSession: string;
  const alice = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';

  beforeAll(async () => {
    const { services } = stack;
    const day = new Date(stack.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    await services.calendar.createEvent(
      { tenantId, userId: alice },
      {
        subject: 'Offboarding check',
        location: { displayName: '@webex' },
        attendees: [{ emailAddress: { address: 'bjorn@contoso.example' } }],
        start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      },
    );
    await settle();
    await services.meetings.tenantSettingsStore.replace(tenantId, { leadTimeMinutes: 3 }, stack.clock.now());
    await services.meetings.tenantSettingsStore.replace(
      otherTenant,
      { leadTimeMinutes: 4 },
      stack.clock.now(),
    );
    for (const [id, tenant] of [
      ['dead-letter-of-the-tenant', tenantId],
      ['dead-letter-of-another-tenant', otherTenant],
    ] as const) {
      await services.deadLetters.save({
        id,
        queue: 'event-changes',
        messageId: id,
        tenantId: tenant,
        reason: 'input-invalid',
        description: 'A test record.',
        deadLetteredAt: stack.clock.now().toISOString(),
        ttl: 3_600,
      });
    }
    const now = stack.clock.now();
    await services.onboarding.tenants.upsert({
      id: tenantId,
      consentedAt: now.toISOString(),
      adminObjectId: alice,
      domains: ['contoso.example'],
      updatedAt: now.toISOString(),
    });
    formSession = services.onboarding.sessions.sign({
      t: tenantId,
      a: alice,
      x: now.getTime() + 3_600_000,
      i: now.getTime(),
    });
    // A consent step's state names its tenant; a connect state (no tenant yet) is not the tenant's.
    await services.onboarding.states.issue('onboarding', { step: 'consent', adminObjectId: alice }, tenantId);
    await services.onboarding.states.issue('connect', { codeVerifier: 'v'.repeat(43) });
    await requestEnablement(services.onboarding.enablement, tenantId, { kind: 'all-with-mailbox' });
    await settle();
    [backup] = await services.store
      .collection(meetingRecords)
      .queryPartition(alice, { text: 'SELECT * FROM c' });
    expect(backup).toBeDefined();
    // The rest of what a tenant leaves: a presence reading applied, a Join notification's delivery
    // marker, a connected user's sealed token cache, the tenant's CloudEvents endpoints (last, so
    // nothing of this test publishes to them).
    await applyPresenceReading(
      services.presence,
      { tenantId, userId: alice },
      { automaticReplies: { status: 'disabled' }, outOfOfficeEvents: [] },
    );
    expect(
      await services.notifications.markers.claim({
        id: 'join-delivery-of-the-tenant',
        tenantId,
        channel: 'webex',
        claimedAt: now.toISOString(),
        ttl: 3_600,
      }),
    ).toBe(true);
    const connectedUser = userIds.find((id) => id !== alice) ?? alice;
    await services.connect.caches.save(
      {
        homeAccountId: `${connectedUser}.${tenantId}`,
        userId: connectedUser,
        tenantId,
        loginHint: 'connected.user@contoso.example',
      },
      '{"AccessToken":{}}',
    );
    await services.cloudEventEndpoints.replace(tenantId, {
      endpoints: [
        { url: 'https://events.contoso.example/hybrid-calendar', secret: `whsec_${'A'.repeat(32)}` },
      ],
    });
    await settle();

    // Each container that can hold the tenant's data holds some: "nothing left" then means something.
    const before = await everyDocument();
    const emptyOfTenant = Object.keys(offboardedContainers).filter(
      (name) =>
        !before.some(
          ({ container, document }) =>
            container === containerLayouts[name as keyof typeof containerLayouts].containerId &&
            ofTenant(document),
        ),
    );
    expect(emptyOfTenant).toEqual([]);

    const token = await adminToken();
    const answer = await fetch(`${stack.endpoints.api}/admin/tenants/${tenantId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    report = (await answer.json()) as typeof report;
    await settle();
  });

  it('then the answer counts what was removed of each kind', () => {
    expect(report.tenantId).toBe(tenantId);
    expect(report.removed).toMatchObject({
      subscriptions: stack.endpoints.users.length,
      watchedUsers: stack.endpoints.users.length,
      settings: 1,
      deadLetters: 1,
      onboarding: 1,
      onboardingStates: 1,
      enablementJobs: 1,
    });
    for (const kind of ['meetingRecords', 'traces', 'dataKeys'])
      expect(report.removed[kind], kind).toBeGreaterThanOrEqual(2);
    // Every container held something of the tenant (checked before), so each counts a removal.
    for (const { reportedAs } of Object.values(offboardedContainers))
      expect(report.removed[reportedAs], reportedAs).toBeGreaterThanOrEqual(1);
  });

  it('then no container holds a document of the tenant, and the other tenant’s documents stay', async () => {
    const documents = await everyDocument();

    expect(documents.filter(({ document }) => ofTenant(document))).toEqual([]);
    expect(
      documents.filter(({ container }) => container === 'dataKeys').map(({ document }) => document.userId),
    ).toEqual([]);
    expect(documents.map(({ document }) => document.id)).toEqual(
      expect.arrayContaining([otherTenant, 'dead-letter-of-another-tenant']),
    );
    expect(await stack.services.calendar.listSubscriptions(tenantId)).toEqual([]);
  });

  it('then a sealed record kept from before cannot be opened: its data key is gone', async () => {
    const sealed = backup as MeetingRecord;
    await expect(
      stack.services.meetings.cipher.open(alice, sealed.id, sealed.sealed, meetingDetailsSchema),
    ).rejects.toThrow();
  });

  it('when an onboarding form is posted with a session from before offboarding, then it is refused and writes nothing', async () => {
    for (const [form, fields] of [
      ['enable', { selection: 'all-with-mailbox' }],
      ['test-mailbox', { mailbox: 'alice@contoso.example' }],
    ] as const) {
      const answer = await fetch(`${stack.endpoints.api}/onboarding/tenant/${form}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ session: formSession, ...fields }).toString(),
      });
      expect(answer.status, form).toBe(403);
    }
    await settle();

    expect((await everyDocument()).filter(({ document }) => ofTenant(document))).toEqual([]);
  });

  it('when offboarding runs again, then it removes nothing more and still succeeds', async () => {
    const token = await adminToken();
    const again = await fetch(`${stack.endpoints.api}/admin/tenants/${tenantId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(200);
    const { removed } = (await again.json()) as typeof report;
    expect(Object.values(removed).every((count) => count === 0)).toBe(true);
  });
});
