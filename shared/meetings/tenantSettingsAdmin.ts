import type { MeetingsContext } from './meetingsContext.js';
import { effectiveSettings, type TenantSettings, type TenantSettingsInput } from './tenantSettings.js';

/** A tenant's settings as they apply: what its administrators set, defaults for the rest. */
export async function readTenantSettings(
  context: Pick<MeetingsContext, 'tenantSettingsStore'>,
  tenantId: string,
): Promise<TenantSettings> {
  return effectiveSettings(await context.tenantSettingsStore.read(tenantId));
}

/**
 * Replaces what a tenant's administrators set (unset fields take their defaults) and returns the
 * settings as they now apply. This instance uses them at once; others within a minute.
 */
export async function replaceTenantSettings(
  context: Pick<MeetingsContext, 'tenantSettingsStore' | 'tenantSettings' | 'clock'>,
  tenantId: string,
  settings: TenantSettingsInput,
): Promise<TenantSettings> {
  await context.tenantSettingsStore.replace(tenantId, settings, context.clock.now());
  context.tenantSettings.forget(tenantId);
  return readTenantSettings(context, tenantId);
}
