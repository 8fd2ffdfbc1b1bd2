// Cosmos DB (serverless) with the database and every container of shared/store/containers.ts.
// Local (key) auth is off: the identity gets the built-in data contributor role on the data plane.
param name string
param databaseName string
param location string
param tags object
param dataContributorPrincipalId string

// Cosmos DB Built-in Data Contributor: read and write items, no account or container management.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

// Every container of containerLayouts in shared/store/containers.ts; a test keeps the two in step.
// defaultTtl -1 turns TTL on without a default: each record carries its own ttl. deadLetters: 14 days.
var containers = [
  { name: 'users', partitionKeyPath: '/tenantId' }
  { name: 'tenants', partitionKeyPath: '/id' }
  { name: 'meetings', partitionKeyPath: '/userId', defaultTtl: -1 }
  { name: 'dataKeys', partitionKeyPath: '/userId' }
  { name: 'traces', partitionKeyPath: '/userId', defaultTtl: -1 }
  { name: 'deadLetters', partitionKeyPath: '/queue', defaultTtl: 1209600 }
  { name: 'presence', partitionKeyPath: '/tenantId' }
  { name: 'onboardedTenants', partitionKeyPath: '/id' }
  { name: 'enablementJobs', partitionKeyPath: '/tenantId', defaultTtl: -1 }
  { name: 'singleUseStates', partitionKeyPath: '/id', defaultTtl: -1 }
  { name: 'tokenCaches', partitionKeyPath: '/userId' }
  { name: 'joinDeliveries', partitionKeyPath: '/tenantId', defaultTtl: -1 }
  { name: 'cloudEventEndpoints', partitionKeyPath: '/id' }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    capabilities: [
      { name: 'EnableServerless' }
    ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: { paths: [container.partitionKeyPath], kind: 'Hash' }
        defaultTtl: container.?defaultTtl
      }
    }
  }
]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, dataContributorPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: dataContributorPrincipalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
