// The Entra ID app registration, as code (the Microsoft Graph Bicep extension, bicepconfig.json):
// multi-tenant, v2 access tokens for the service's own API, the Graph permissions the built
// features use and no more, the admin app role, the redirect URIs, and a federated identity
// credential that lets the Function App's managed identity stand in for a client secret.
extension microsoftGraphV1

@description('Stable key of the application in the directory: a redeployment updates it rather than creating another.')
param uniqueName string
param displayName string
@description('https:// base URL of the Function App, without a trailing slash.')
param publicBaseUrl string
@description('Object (principal) id of the user-assigned managed identity the Function App runs as.')
param managedIdentityPrincipalId string

// Microsoft Graph's application id, the same in every tenant.
var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'

// Graph permission ids (Microsoft Graph permissions reference); each line says which code needs it.
// Application permissions (app-only tokens, granted by each tenant's admin consent):
// Calendars.ReadWrite: read events, write the Join block, create/renew/delete event subscriptions,
// calendarView/delta sync and getSchedule (shared/adapters/graph/graphCalendarGateway.ts).
var calendarsReadWriteRoleId = 'ef54d2bf-783f-4e0f-bca1-3210c0444d99'
// MailboxSettings.Read: the mailbox's language and time zone for the Join block (getMailboxSettings).
var mailboxSettingsReadRoleId = '40f97065-369a-49f4-947c-6a255697ae91'
// MailboxSettings.Read also reads the automatic replies for out-of-office presence (graphPresenceSource.ts).
// User.Read.All: enabling users by UPN or "all users with a mailbox" at onboarding and in the admin
// API (graphTenantDirectory.ts), the test mailbox's lookup, and the display names the admin console
// shows, read when viewed and never stored (graphUserNames.ts).
var userReadAllRoleId = 'df021288-bdef-4463-88db-98f22de89214'
// GroupMember.Read.All: enabling the members of a group, nested groups included (transitiveMembers).
var groupMemberReadAllRoleId = '98830695-27a2-44f7-8c18-0c3ebc9698f6'
// Domain.Read.All: the tenant's domains, recorded when it is onboarded (graphTenantDirectory.ts).
var domainReadAllRoleId = 'dbb9058a-0e50-45d7-ae91-66909b5d4664'
// Delegated permissions ("connect your calendar", shared/calendar/tokenProvider.ts delegatedScopes):
// Calendars.ReadWrite: the user's own calendar when it is connected rather than granted tenant-wide.
var calendarsReadWriteScopeId = '1ec239c2-d7c9-4623-a91a-a9775856bb36'
// MailboxSettings.ReadWrite: requested by delegatedScopes today; the code only reads the settings.
var mailboxSettingsReadWriteScopeId = '818c620a-27a9-40bd-a6a5-d96f7d610b4b'
// User.Read: the signed-in user's own profile (who connected).
var userReadScopeId = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'
// openid, profile, offline_access: MSAL's sign-in and the refresh token that keeps a connection alive.
var openIdScopeId = '37f7f235-527c-4136-accd-4a02d197296e'
var profileScopeId = '14dad69e-099b-42c9-810b-d002981feec1'
var offlineAccessScopeId = '7427e0e9-2fba-42fe-b0c0-848c9e6a8182'
// User.Read also lets the onboarding admin's sign-in read /me/memberOf when the token has no `wids`.
// Not requested: RoleManagement.Read.Directory (the Global Administrator check reads `wids` first).

// The value the API checks for its admin routes (API_ADMIN_ROLE, shared/config/settings.ts).
var adminRoleValue = 'HybridCalendar.Admin'
// The audience a managed identity's token must carry to be exchanged (public cloud).
var tokenExchangeAudience = 'api://AzureADTokenExchange'

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  // Any organisation's tenant may consent: each one grants the permissions to its own mailboxes.
  signInAudience: 'AzureADMultipleOrgs'
  // Multi-tenant apps may use api://{tenant id}/{name}; api://{app id} would refer to this resource itself.
  identifierUris: ['api://${tenant().tenantId}/${uniqueName}']
  api: {
    // v2 access tokens: issuer https://login.microsoftonline.com/{tid}/v2.0, as the API validates.
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: guid(uniqueName, 'access_as_user')
        value: 'access_as_user'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use hybrid-calendar as the signed-in user'
        adminConsentDescription: 'Lets the console and API clients call hybrid-calendar on behalf of the signed-in user.'
        userConsentDisplayName: 'Use hybrid-calendar as you'
        userConsentDescription: 'Lets the app call hybrid-calendar on your behalf.'
      }
    ]
  }
  appRoles: [
    {
      id: guid(uniqueName, adminRoleValue)
      value: adminRoleValue
      displayName: 'Hybrid calendar administrator'
      description: 'May use the admin API: enable users, tenant settings, dead letters, metrics.'
      // Users (assigned in Enterprise applications) and automation clients (app-only tokens).
      allowedMemberTypes: ['User', 'Application']
      isEnabled: true
    }
  ]
  web: {
    redirectUris: [
      '${publicBaseUrl}/api/onboarding/tenant/callback'
      '${publicBaseUrl}/api/connect/callback'
    ]
    implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false }
  }
  spa: {
    // The admin console signs in with the authorization code flow and PKCE in the browser.
    redirectUris: ['${publicBaseUrl}/api/console/']
  }
  requiredResourceAccess: [
    {
      resourceAppId: microsoftGraphAppId
      resourceAccess: [
        { id: calendarsReadWriteRoleId, type: 'Role' }
        { id: mailboxSettingsReadRoleId, type: 'Role' }
        { id: userReadAllRoleId, type: 'Role' }
        { id: groupMemberReadAllRoleId, type: 'Role' }
        { id: domainReadAllRoleId, type: 'Role' }
        { id: calendarsReadWriteScopeId, type: 'Scope' }
        { id: mailboxSettingsReadWriteScopeId, type: 'Scope' }
        { id: userReadScopeId, type: 'Scope' }
        { id: openIdScopeId, type: 'Scope' }
        { id: profileScopeId, type: 'Scope' }
        { id: offlineAccessScopeId, type: 'Scope' }
      ]
    }
  ]
}

// No client secret: tokens of the Function App's managed identity are the app's client assertions.
resource managedIdentityCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {
  name: '${application.uniqueName}/function-app-managed-identity'
  description: 'The Function App managed identity signs in as this app (no client secret).'
  issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  subject: managedIdentityPrincipalId
  audiences: [tokenExchangeAudience]
}

// The home tenant's enterprise application: where admins assign HybridCalendar.Admin to people.
resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
}

output clientId string = application.appId
output identifierUri string = 'api://${tenant().tenantId}/${uniqueName}'
output servicePrincipalId string = servicePrincipal.id
