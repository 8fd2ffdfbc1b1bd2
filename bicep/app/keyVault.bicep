// Key Vault: the RSA key that wraps the data keys, and the secrets behind the Key Vault references
// in the app settings. There is no Graph client secret: the app authenticates to Entra ID with the
// managed identity's token (a federated identity credential). Access by Azure RBAC only; soft delete and purge protection keep wrapped
// keys recoverable (losing the key loses every encrypted meeting).
param name string
param location string
param tags object

@secure()
param clientStateSecret string
@secure()
param webexAccessToken string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource keyWrappingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: 'data-key-wrapping'
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: ['wrapKey', 'unwrapKey']
  }
}

resource clientStateSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'client-state-secret'
  properties: { value: clientStateSecret }
}

resource webexAccessTokenValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'webex-access-token'
  properties: { value: webexAccessToken }
}

output name string = vault.name
// Versionless: the newest key version wraps; each wrapped key records the version that unwraps it.
output keyWrappingKeyId string = keyWrappingKey.properties.keyUri
// Versionless secret URIs: the app picks up a new secret version without a redeployment.
output clientStateSecretUri string = clientStateSecretValue.properties.secretUri
output webexAccessTokenUri string = webexAccessTokenValue.properties.secretUri
