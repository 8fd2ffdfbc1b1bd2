/** A complete, valid set of Azure settings; tests override what they are about. */
export function buildAzureEnvironment(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    COSMOS_ENDPOINT: 'https://contoso.documents.azure.com:443/',
    ServiceBusConnection__fullyQualifiedNamespace: 'contoso.servicebus.windows.net',
    KEY_VAULT_KEY_ID: 'https://contoso.vault.azure.net/keys/data-key-wrapping',
    GRAPH_CLIENT_ID: '4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    AZURE_CLIENT_ID: '5b2f3c4d-6e7f-4a81-9b0c-1d2e3f4a5b6c',
    PUBLIC_BASE_URL: 'https://contoso-calendar.azurewebsites.net/',
    CLIENT_STATE_SECRET: Buffer.alloc(32, 7).toString('base64'),
    API_AUTH_ISSUER: 'https://login.microsoftonline.com/{tenantid}/v2.0',
    API_AUTH_AUDIENCE: 'api://4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    API_AUTH_JWKS_URL: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
    WEBEX_ACCESS_TOKEN: 'webex-token',
    ...overrides,
  };
}
