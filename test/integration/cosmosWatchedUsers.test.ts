import { CosmosWatchedUsers } from '../../shared/adapters/cosmos/cosmosWatchedUsers.js';
import { ManualClock } from '../../shared/time/clock.js';
import { watchedUsers } from '../../shared/watch/watchedUser.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { watchStart } from '../support/watchBuilders.js';
import { describeWatchedUsersContract } from '../support/watchedUsersContract.js';

// The Cosmos adapter against the embedded Cosmos server: a database of its own for every test, so
// that the cross-partition queries see only that test's users.
const newDatabase = freshCosmosDatabases();

describeWatchedUsersContract('the Cosmos adapter', async () => {
  const store = await newDatabase('watched-users', [watchedUsers]);
  const documents = store.collection(watchedUsers);
  const clock = new ManualClock(watchStart);
  return {
    users: new CosmosWatchedUsers(documents, clock),
    clock,
    seed: async (...users) => {
      for (const user of users) await documents.upsert(user);
    },
  };
});
