import { describe, expect, it } from 'vitest';
import { CosmosPresenceStates } from '../../shared/adapters/cosmos/cosmosPresenceStates.js';
import { newPresenceDocument, presenceDocuments } from '../../shared/presence/presenceState.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';

// Presence documents against the embedded Cosmos server: the conditional write that claims a transition.
const freshStore = freshCosmosDatabases();
const mailbox = { tenantId: 'Tenant-A', userId: 'User-1' };
const now = new Date('2026-03-02T09:00:00Z');

describe('CosmosPresenceStates', () => {
  it('when a user is written the first time and read back, then the keys are lower case and the document round-trips', async () => {
    const states = new CosmosPresenceStates(await freshStore('presence', [presenceDocuments]));

    await states.update(mailbox, () => ({
      ...newPresenceDocument(mailbox, now),
      scheduled: [{ at: '2026-03-02T10:00:00.000Z', sequenceNumber: '9007199254740993' }],
    }));

    expect(await states.find({ tenantId: 'tenant-a', userId: 'user-1' })).toMatchObject({
      id: 'user-1',
      tenantId: 'tenant-a',
      state: 'in-office',
      scheduled: [{ sequenceNumber: '9007199254740993' }],
    });
  });

  it('when two writers race for the same transition, then one claims it and both see that claim', async () => {
    const states = new CosmosPresenceStates(await freshStore('presence', [presenceDocuments]));
    await states.update(mailbox, () => newPresenceDocument(mailbox, now));
    // Each writer marks its claim; the loser is asked again, sees the state taken and stands down.
    const claim = (writer: string) =>
      states.update(mailbox, (current) =>
        !current || current.state === 'out-of-office'
          ? undefined
          : { ...current, state: 'out-of-office', since: writer },
      );

    const [first, second] = await Promise.all([claim('poll'), claim('transition')]);

    expect(first?.since).toBe(second?.since);
    expect(['poll', 'transition']).toContain(first?.since);
    expect((await states.find(mailbox))?.since).toBe(first?.since);
  });
});
