import {
  type TenantSettingsInput,
  type TenantSettingsStore,
  tenantSettingsInputSchema,
} from '../../../shared/meetings/tenantSettings.js';

/** Tenant settings in memory; what each tenant's administrators set, parsed as the store parses it. */
export class InMemoryTenantSettings implements TenantSettingsStore {
  readonly #stored = new Map<string, { settings: TenantSettingsInput; updatedAt: Date }>();

  async read(tenantId: string): Promise<TenantSettingsInput | undefined> {
    const stored = this.#stored.get(tenantId);
    return stored ? structuredClone(stored.settings) : undefined;
  }

  async replace(tenantId: string, settings: TenantSettingsInput, updatedAt: Date): Promise<void> {
    this.#stored.set(tenantId, { settings: tenantSettingsInputSchema.parse(settings), updatedAt });
  }

  /** When the tenant's settings were last replaced. */
  updatedAt(tenantId: string): Date | undefined {
    return this.#stored.get(tenantId)?.updatedAt;
  }
}
