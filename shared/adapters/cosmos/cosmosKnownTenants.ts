import type { KnownTenants } from '../../health/dependencyProbes.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';
import { type WatchedUser, watchedUsers } from '../../watch/watchedUser.js';

/**
 * Tenants the service works for, read from the watched users: one activated user watched by admin
 * consent shows a consented tenant (a user who connected their own calendar does not: their tenant
 * may never have consented).
 */
export class CosmosKnownTenants implements KnownTenants {
  readonly #users: DocumentCollection<WatchedUser>;

  constructor(store: DocumentStore) {
    this.#users = store.collection(watchedUsers);
  }

  async anyConsentedTenant(): Promise<string | undefined> {
    const [user] = await this.#users.queryAll({
      text:
        'SELECT TOP 1 * FROM c WHERE c.state = @state AND ' +
        '(NOT IS_DEFINED(c.authorization) OR c.authorization = @application)',
      parameters: [
        { name: '@state', value: 'activated' },
        { name: '@application', value: 'application' },
      ],
    });
    return user?.tenantId;
  }
}
