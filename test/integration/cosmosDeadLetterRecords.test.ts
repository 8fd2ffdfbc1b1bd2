import { CosmosDeadLetterRecords } from '../../shared/adapters/cosmos/cosmosDeadLetterRecords.js';
import { containerLayouts } from '../../shared/store/containers.js';
import { describeDeadLetterRecordsContract } from '../support/deadLetterRecordsContract.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';

// The dead-letter records' SQL against the embedded Cosmos server: a database of its own per test.
const newDatabase = freshCosmosDatabases();

describeDeadLetterRecordsContract('the Cosmos adapter', async () => {
  const store = await newDatabase('dead-letters', [containerLayouts.deadLetters]);
  return new CosmosDeadLetterRecords(store);
});
