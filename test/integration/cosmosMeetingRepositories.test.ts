import { CosmosEventTraces } from '../../shared/adapters/cosmos/cosmosEventTraces.js';
import { CosmosMeetingRecords } from '../../shared/adapters/cosmos/cosmosMeetingRecords.js';
import { CosmosTenantSettings } from '../../shared/adapters/cosmos/cosmosTenantSettings.js';
import { containerLayouts } from '../../shared/store/containers.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { describeMeetingRepositoriesContract } from '../support/meetingRepositoriesContract.js';

// The Cosmos adapters of the meetings side against the embedded Cosmos server, with all their SQL:
// a database of their own for every test.
const newDatabase = freshCosmosDatabases();

describeMeetingRepositoriesContract('the Cosmos adapters', async () => {
  const store = await newDatabase('meetings', [
    containerLayouts.meetings,
    containerLayouts.traces,
    containerLayouts.tenants,
  ]);
  return {
    records: new CosmosMeetingRecords(store),
    traces: new CosmosEventTraces(store),
    tenantSettings: new CosmosTenantSettings(store),
  };
});
