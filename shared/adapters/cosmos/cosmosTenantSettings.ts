import {
  type TenantDocument,
  type TenantSettingsInput,
  type TenantSettingsStore,
  tenants,
} from '../../meetings/tenantSettings.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';

/** Tenant settings in Cosmos DB: one document per tenant, which is its own partition. */
export class CosmosTenantSettings implements TenantSettingsStore {
  readonly #documents: DocumentCollection<TenantDocument>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(tenants);
  }

  async read(tenantId: string): Promise<TenantSettingsInput | undefined> {
    return (await this.#documents.read(tenantId, tenantId))?.value.settings;
  }

  async replace(tenantId: string, settings: TenantSettingsInput, updatedAt: Date): Promise<void> {
    await this.#documents.upsert({ id: tenantId, settings, updatedAt: updatedAt.toISOString() });
  }
}
