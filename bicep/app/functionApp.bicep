// Flex Consumption plan and the Function App. It runs as the user-assigned identity, deploys from
// a blob container with that identity, and reads every setting from the app settings below.
param planName string
param name string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param instanceMemoryMB int
param maximumInstanceCount int
param cosmosEndpoint string
param cosmosDatabaseName string
param serviceBusFullyQualifiedNamespace string
param keyVaultKeyId string
param clientStateSecretUri string
param webexAccessTokenUri string
param graphClientId string
param apiAuthAudience string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  // azd finds the app to deploy service `api` of azure.yaml by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }
}

// The app settings, in one literal so a test can read the keys: every key of the settings schema
// (shared/config/settings.ts) except the local-only COSMOS_KEY, LOCAL_KEY_FILE and GRAPH_CLIENT_SECRET, plus the keys
// the Functions host reads for its own identity-based connections. No keys, no connection strings
// with secrets; secrets are Key Vault references.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // Functions host
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    // The service (shared/config/settings.ts)
    COSMOS_ENDPOINT: cosmosEndpoint
    COSMOS_DATABASE: cosmosDatabaseName
    AZURE_CLIENT_ID: identityClientId
    MESSAGE_BUS: 'service-bus'
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    KEY_WRAPPING: 'key-vault'
    KEY_VAULT_KEY_ID: keyVaultKeyId
    GRAPH_CLIENT_ID: graphClientId
    // No client secret: the managed identity's token is the client assertion (federated credential).
    GRAPH_CLIENT_CREDENTIAL: 'managed-identity-federation'
    GRAPH_AUTHORITY_HOST: 'https://login.microsoftonline.com'
    GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0'
    PUBLIC_BASE_URL: 'https://${functionApp.properties.defaultHostName}'
    CLIENT_STATE_SECRET: '@Microsoft.KeyVault(SecretUri=${clientStateSecretUri})'
    API_AUTH_ISSUER: 'https://login.microsoftonline.com/{tenantid}/v2.0'
    API_AUTH_AUDIENCE: apiAuthAudience
    API_AUTH_JWKS_URL: 'https://login.microsoftonline.com/common/discovery/v2.0/keys'
    API_ADMIN_ROLE: 'HybridCalendar.Admin'
    WEBEX_API_BASE_URL: 'https://webexapis.com/v1'
    WEBEX_ACCESS_TOKEN: '@Microsoft.KeyVault(SecretUri=${webexAccessTokenUri})'
    PRESENCE_POLL_MINUTES: '15'
  }
}

output name string = functionApp.name
output publicBaseUrl string = 'https://${functionApp.properties.defaultHostName}'
