import { InMemoryEventTraces } from '../../support/fakes/inMemoryEventTraces.js';
import { InMemoryMeetingRecords } from '../../support/fakes/inMemoryMeetingRecords.js';
import { InMemoryTenantSettings } from '../../support/fakes/inMemoryTenantSettings.js';
import { describeMeetingRepositoriesContract } from '../../support/meetingRepositoriesContract.js';

// The fakes the use-case tests run on, held to the same contract as the Cosmos adapters.
describeMeetingRepositoriesContract('the in-memory fakes', async () => ({
  records: new InMemoryMeetingRecords(),
  traces: new InMemoryEventTraces(),
  tenantSettings: new InMemoryTenantSettings(),
}));
