import { describe, expect, it } from 'vitest';
import { containersWithoutTenantData, offboardedContainers } from '../../../shared/onboarding/offboarding.js';
import { containerLayouts } from '../../../shared/store/containers.js';

// A new container must say what offboarding does with it: remove the tenant's documents (and the
// integration test `tenantOffboarding.test.ts` then needs the tenant to have some there), or hold
// no tenant data, with the reason.
describe('offboarding covers every container', () => {
  it('when a container is declared, then offboarding removes the tenant’s documents from it or says why it holds none', () => {
    const removed = Object.keys(offboardedContainers);
    const withoutTenantData = Object.keys(containersWithoutTenantData);

    expect(
      Object.keys(containerLayouts).filter(
        (name) => !removed.includes(name) && !withoutTenantData.includes(name),
      ),
    ).toEqual([]);
    expect(removed.filter((name) => withoutTenantData.includes(name))).toEqual([]);
    for (const reason of Object.values(containersWithoutTenantData))
      expect(reason?.trim().length).toBeGreaterThan(10);
  });

  it('when offboarding names a container, then it is one of containers.ts, counted under a kind of its own', () => {
    expect(Object.keys(offboardedContainers).filter((name) => !(name in containerLayouts))).toEqual([]);
    const kinds = Object.values(offboardedContainers).map(({ reportedAs }) => reportedAs);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
