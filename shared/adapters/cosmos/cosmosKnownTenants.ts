import type { KnownTenants } from '../../health/dependencyProbes.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';
import { type WatchedUser, watchedUsers } from '../../watch/watchedUser.js';

/** Tenants the service works for, read from the watched users: one activated user shows a consented tenant. */
export class CosmosKnownTenants implements KnownTenants {
  readonly #users: DocumentCollection<WatchedUser>;

  constructor(store: DocumentStore) {
    this.#users = store.collection(watchedUsers);
  }

  async anyConsentedTenant(): Promise<string | undefined> {
    const [user] = await this.#users.queryAll({
      text: 'SELECT TOP 1 * FROM c WHERE c.state = @state',
      parameters: [{ name: '@state', value: 'activated' }],
    });
    return user?.tenantId;
  }
}
