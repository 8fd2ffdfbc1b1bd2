// Everything `azd up` provisions for hybrid-calendar. Subscription scope, so the resource group is
// created here too. No public module registries: every module is a file beside this one.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@secure()
@description('Base64 of at least 32 random bytes (openssl rand -base64 32); stored in Key Vault as client-state-secret.')
param clientStateSecret string

@secure()
@description('Webex service app or bot token; stored in Key Vault as webex-access-token.')
param webexAccessToken string

@description('Expected audience of API tokens; empty means the app registration\'s identifier URI.')
param apiAuthAudience string = ''

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Upper bound of Flex Consumption instances.')
param maximumInstanceCount int = 100

@description('Cosmos DB database id (COSMOS_DATABASE).')
param cosmosDatabaseName string = 'hybrid-calendar'

var tags = { 'azd-env-name': environmentName }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var functionAppName = 'func-${resourceToken}'
// Known before the app exists, so the app registration's redirect URIs can name it.
var publicBaseUrl = 'https://${functionAppName}.azurewebsites.net'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity './app/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
  }
}

module serviceBus './app/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: resourceGroup
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
  }
}

module cosmos './app/cosmos.bicep' = {
  name: 'cosmos'
  scope: resourceGroup
  params: {
    name: 'cosmos-${resourceToken}'
    databaseName: cosmosDatabaseName
    location: location
    tags: tags
    dataContributorPrincipalId: identity.outputs.principalId
  }
}

// The app registration (Microsoft Graph Bicep extension): the deploying user needs the right to
// create applications in Entra ID (e.g. the Application Developer role).
module appRegistration './app/appRegistration.bicep' = {
  name: 'appRegistration'
  scope: resourceGroup
  params: {
    uniqueName: 'hybrid-calendar-${resourceToken}'
    displayName: 'hybrid-calendar (${environmentName})'
    publicBaseUrl: publicBaseUrl
    managedIdentityPrincipalId: identity.outputs.principalId
  }
}

module keyVault './app/keyVault.bicep' = {
  name: 'keyVault'
  scope: resourceGroup
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    clientStateSecret: clientStateSecret
    webexAccessToken: webexAccessToken
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: resourceGroup
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp './app/functionApp.bicep' = {
  name: 'functionApp'
  scope: resourceGroup
  params: {
    planName: 'plan-${resourceToken}'
    name: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultKeyId: keyVault.outputs.keyWrappingKeyId
    clientStateSecretUri: keyVault.outputs.clientStateSecretUri
    webexAccessTokenUri: keyVault.outputs.webexAccessTokenUri
    graphClientId: appRegistration.outputs.clientId
    apiAuthAudience: empty(apiAuthAudience) ? appRegistration.outputs.identifierUri : apiAuthAudience
  }
  // The host needs its storage and Key Vault roles before it first starts.
  dependsOn: [rbac]
}

// azd saves these in the environment; the postprovision hook prints what the app registration needs.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output PUBLIC_BASE_URL string = functionApp.outputs.publicBaseUrl
output GRAPH_CLIENT_ID string = appRegistration.outputs.clientId
output API_AUTH_AUDIENCE string = empty(apiAuthAudience) ? appRegistration.outputs.identifierUri : apiAuthAudience
