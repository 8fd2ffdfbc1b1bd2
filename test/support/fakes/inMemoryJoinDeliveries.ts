import type { JoinDelivery, JoinDeliveryMarkers } from '../../../shared/notifications/joinDeliveries.js';

/** Delivery markers in memory, with the Cosmos adapter's create-if-absent semantics. */
export class InMemoryJoinDeliveries implements JoinDeliveryMarkers {
  readonly markers = new Map<string, JoinDelivery>();

  async claim(delivery: JoinDelivery): Promise<boolean> {
    const key = `${delivery.tenantId}|${delivery.id}`;
    if (this.markers.has(key)) return false;
    this.markers.set(key, structuredClone(delivery));
    return true;
  }

  async release(tenantId: string, id: string): Promise<void> {
    this.markers.delete(`${tenantId}|${id}`);
  }
}
