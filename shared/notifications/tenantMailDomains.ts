import type { Clock } from '../time/clock.js';

/** The tenant's verified domains (Graph `/domains`): the mailboxes it owns end in one of them. */
export interface TenantMailDomains {
  verifiedDomainsOf(tenantId: string): Promise<readonly string[]>;
}

const cacheMs = 3_600_000;

/** A domain as Graph lists it. */
export interface DirectoryDomain {
  id: string;
  isVerified?: boolean | null;
}

/** Verified domains (Graph `/domains`), read at most once an hour per tenant and instance (they change rarely). */
export class CachedTenantMailDomains implements TenantMailDomains {
  readonly #read: (tenantId: string) => Promise<readonly DirectoryDomain[]>;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { domains: readonly string[]; expiresAt: number }>();

  constructor(read: (tenantId: string) => Promise<readonly DirectoryDomain[]>, clock: Clock) {
    this.#read = read;
    this.#clock = clock;
  }

  async verifiedDomainsOf(tenantId: string): Promise<readonly string[]> {
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(tenantId);
    if (cached && cached.expiresAt > now) return cached.domains;
    // An unverified domain can be added by anyone to their own tenant: it proves nothing.
    const domains = (await this.#read(tenantId))
      .filter((domain) => domain.isVerified === true)
      .map((domain) => domain.id.toLowerCase());
    this.#cache.set(tenantId, { domains, expiresAt: now + cacheMs });
    return domains;
  }
}

/** Whether a mailbox address is in one of the domains (exactly: a subdomain is its own domain in Entra ID). */
export function isInDomains(address: string, domains: readonly string[]): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const domain = address
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  return domains.includes(domain);
}
