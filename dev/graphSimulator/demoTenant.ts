/** A person or room mailbox of the simulated tenant. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  preferredLanguage: string;
  timeZone: string;
  isRoom: boolean;
  /** Role template ids of directory roles the user holds. */
  directoryRoleTemplateIds: string[];
  /** App roles of the hybrid-calendar app assigned to the user (the `roles` claim of API tokens). */
  appRoles?: string[];
  /** False for a user without an Exchange Online licence: no mailbox answers for them. */
  exchangeLicensed?: boolean;
  /** An application access policy keeps app-only tokens out of this mailbox. */
  applicationAccessPolicyBlocked?: boolean;
}

export interface DemoTenant {
  tenantId: string;
  displayName: string;
  app: { clientId: string; clientSecret: string; displayName: string; servicePrincipalId: string };
  domains: Array<{ id: string; isDefault: boolean; isInitial: boolean; isVerified: boolean }>;
  users: DirectoryUser[];
}

/** The app role that opens the admin API. */
export const hybridCalendarAdminRole = 'HybridCalendar.Admin';

/** Template id of the built-in Global Administrator role, the same in every tenant. */
export const globalAdministratorRoleTemplateId = '62e90394-69f5-4237-9190-012177145e10';

/**
 * The demo tenant the local stack starts with. The ids are fixed so that scripts and the README can
 * name them; the secret is a demo value that only this simulator accepts.
 */
export function buildDemoTenant(): DemoTenant {
  return {
    tenantId: '8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f',
    displayName: 'Contoso (demo)',
    app: {
      clientId: 'b6a2f0c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c',
      clientSecret: 'local-demo-secret-not-for-production',
      displayName: 'hybrid-calendar (local)',
      servicePrincipalId: 'c7b3a1d5-2e4f-4a6b-9c8d-0e1f2a3b4c5d',
    },
    domains: [
      { id: 'contoso.example', isDefault: true, isInitial: false, isVerified: true },
      { id: 'contoso.onmicrosoft.com', isDefault: false, isInitial: true, isVerified: true },
    ],
    users: [
      {
        id: '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01',
        displayName: 'Alice Anderson',
        userPrincipalName: 'alice@contoso.example',
        mail: 'alice@contoso.example',
        givenName: 'Alice',
        surname: 'Anderson',
        jobTitle: 'IT Administrator',
        preferredLanguage: 'en-US',
        timeZone: 'Eastern Standard Time',
        isRoom: false,
        directoryRoleTemplateIds: [globalAdministratorRoleTemplateId],
        appRoles: [hybridCalendarAdminRole],
      },
      {
        id: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
        displayName: 'Björn Lindqvist',
        userPrincipalName: 'bjorn@contoso.example',
        mail: 'bjorn@contoso.example',
        givenName: 'Björn',
        surname: 'Lindqvist',
        preferredLanguage: 'sv-SE',
        timeZone: 'W. Europe Standard Time',
        isRoom: false,
        directoryRoleTemplateIds: [],
      },
      {
        id: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
        displayName: 'Ayşe Yılmaz',
        userPrincipalName: 'ayse@contoso.example',
        mail: 'ayse@contoso.example',
        givenName: 'Ayşe',
        surname: 'Yılmaz',
        preferredLanguage: 'tr-TR',
        timeZone: 'Turkey Standard Time',
        isRoom: false,
        directoryRoleTemplateIds: [],
      },
      {
        id: '1e0d4b8a-0004-4c3f-9a7e-5b6c7d8e9f04',
        displayName: 'Kenji Sato',
        userPrincipalName: 'kenji@contoso.example',
        mail: 'kenji@contoso.example',
        givenName: 'Kenji',
        surname: 'Sato',
        preferredLanguage: 'ja-JP',
        timeZone: 'Tokyo Standard Time',
        isRoom: false,
        directoryRoleTemplateIds: [],
      },
      {
        id: '1e0d4b8a-0101-4c3f-9a7e-5b6c7d8e9f11',
        displayName: 'Board Room',
        userPrincipalName: 'boardroom@contoso.example',
        mail: 'boardroom@contoso.example',
        preferredLanguage: 'en-US',
        timeZone: 'Eastern Standard Time',
        isRoom: true,
        directoryRoleTemplateIds: [],
      },
    ],
  };
}
