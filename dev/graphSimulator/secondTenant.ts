import {
  type DemoTenant,
  type DirectoryUser,
  globalAdministratorRoleTemplateId,
  hybridCalendarAdminRole,
} from './demoTenant.js';

/** A security group of a simulated tenant; members are user or group ids (groups nest). */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  memberIds: string[];
}

/** Groups of the simulated tenants, by tenant id: the second tenant has one group with a nested one. */
export type TenantGroups = ReadonlyMap<string, readonly DirectoryGroup[]>;

function person(id: string, name: string, local: string, extra: Partial<DirectoryUser> = {}): DirectoryUser {
  const [givenName, surname] = name.split(' ');
  return {
    id,
    displayName: name,
    userPrincipalName: `${local}@fabrikam.example`,
    mail: `${local}@fabrikam.example`,
    ...(givenName ? { givenName } : {}),
    ...(surname ? { surname } : {}),
    preferredLanguage: 'en-US',
    timeZone: 'W. Europe Standard Time',
    isRoom: false,
    directoryRoleTemplateIds: [],
    ...extra,
  };
}

/** Ids of the second tenant, fixed so that tests and the README can name them. */
export const secondTenantIds = {
  tenantId: 'a4d7e2f1-6c3b-4e8a-9f5d-1b2c3d4e5f60',
  globalAdministrator: '2f0e5c9b-0001-4d4a-8b8f-6c7d8e9fa001',
  nonAdministrator: '2f0e5c9b-0002-4d4a-8b8f-6c7d8e9fa002',
  salesGroup: '3a1f6d0c-0001-4e5b-9c9a-7d8e9fab0001',
  salesEmeaGroup: '3a1f6d0c-0002-4e5b-9c9a-7d8e9fab0002',
} as const;

/**
 * A second tenant for onboarding, that starts without admin consent: its own Global Administrator,
 * a non-administrator, people with mailboxes (two in a group, one of them through a nested group),
 * one without an Exchange Online licence, and one whose mailbox an application access policy blocks.
 * The app registration is the same multi-tenant app as the demo tenant's.
 */
export function buildSecondTenant(app: DemoTenant['app']): { tenant: DemoTenant; groups: DirectoryGroup[] } {
  const users: DirectoryUser[] = [
    person(secondTenantIds.globalAdministrator, 'Grace Hopkins', 'grace', {
      jobTitle: 'Global Administrator',
      directoryRoleTemplateIds: [globalAdministratorRoleTemplateId],
      appRoles: [hybridCalendarAdminRole],
    }),
    person(secondTenantIds.nonAdministrator, 'Noah Fischer', 'noah'),
    person('2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003', 'Olga Petrova', 'olga'),
    person('2f0e5c9b-0004-4d4a-8b8f-6c7d8e9fa004', 'Pedro Alves', 'pedro', { timeZone: 'GMT Standard Time' }),
    person('2f0e5c9b-0005-4d4a-8b8f-6c7d8e9fa005', 'Uma Unlicensed', 'uma', { exchangeLicensed: false }),
    person('2f0e5c9b-0006-4d4a-8b8f-6c7d8e9fa006', 'Bruno Blocked', 'bruno', {
      applicationAccessPolicyBlocked: true,
    }),
  ];
  return {
    tenant: {
      tenantId: secondTenantIds.tenantId,
      displayName: 'Fabrikam (unconsented)',
      app,
      domains: [
        { id: 'fabrikam.example', isDefault: true, isInitial: false, isVerified: true },
        { id: 'fabrikam.onmicrosoft.com', isDefault: false, isInitial: true, isVerified: true },
      ],
      users,
    },
    groups: [
      {
        id: secondTenantIds.salesGroup,
        displayName: 'Sales',
        memberIds: ['2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003', secondTenantIds.salesEmeaGroup],
      },
      {
        id: secondTenantIds.salesEmeaGroup,
        displayName: 'Sales EMEA',
        memberIds: ['2f0e5c9b-0004-4d4a-8b8f-6c7d8e9fa004'],
      },
    ],
  };
}
