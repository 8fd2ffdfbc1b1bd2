import type { GraphTokenProvider } from '../calendar/tokenProvider.js';
import type { HealthProbe } from './checkHealth.js';

/** A tenant the service works for, whose consent lets it take Graph tokens (Cosmos DB `users` in production). */
export interface KnownTenants {
  /** Some tenant with an activated user, or undefined while there is none. */
  anyConsentedTenant(): Promise<string | undefined>;
}

export const noTenantYet = 'no tenant consented yet';

/**
 * Graph: an app token for a tenant the service works for, through the same token provider as every
 * Graph call. Tokens are cached for their lifetime, so the probe reaches Entra ID once an hour at
 * most and otherwise proves that the last token is still good. With no tenant yet it is up, saying so.
 */
export function graphTokenProbe(tenants: KnownTenants, tokens: GraphTokenProvider): HealthProbe {
  return {
    name: 'graph',
    async check() {
      const tenantId = await tenants.anyConsentedTenant();
      if (tenantId === undefined) return noTenantYet;
      await tokens.appToken(tenantId);
    },
  };
}
