import { hasErrorCode } from '../../errors.js';
import {
  type JoinDelivery,
  type JoinDeliveryMarkers,
  joinDeliveries,
} from '../../notifications/joinDeliveries.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';

/** Delivery markers in Cosmos DB: a create that fails with 409 means someone claimed it first. */
export class CosmosJoinDeliveries implements JoinDeliveryMarkers {
  readonly #documents: DocumentCollection<JoinDelivery>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(joinDeliveries);
  }

  async claim(delivery: JoinDelivery): Promise<boolean> {
    try {
      await this.#documents.create(delivery);
      return true;
    } catch (error) {
      if (hasErrorCode(error, 'already-exists')) return false;
      throw error;
    }
  }

  async release(tenantId: string, id: string): Promise<void> {
    await this.#documents.delete(id, tenantId);
  }
}
