import { afterEach, describe, expect, it, vi } from 'vitest';

// functions/app.ts is what the Functions host loads. Outside the host @azure/functions runs in test
// mode and ignores registrations, so these tests check the cold-start path itself: settings read,
// adapters composed, every definition accepted by app.*, or one clear failure.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the Azure entry point', () => {
  it('when the settings are valid, then loading it composes the services and registers without error', async () => {
    vi.stubEnv('COSMOS_ENDPOINT', 'https://contoso.documents.azure.com:443/');
    vi.stubEnv('ServiceBusConnection__fullyQualifiedNamespace', 'contoso.servicebus.windows.net');
    vi.stubEnv('KEY_VAULT_KEY_ID', 'https://contoso.vault.azure.net/keys/data-key-wrapping');
    vi.stubEnv('GRAPH_CLIENT_ID', '4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    vi.stubEnv('GRAPH_CLIENT_SECRET', 'secret');

    await expect(import('../../../functions/app.js')).resolves.toBeDefined();
  });

  it('when a setting is missing, then loading it fails with the configuration message', async () => {
    vi.stubEnv('COSMOS_ENDPOINT', '');
    vi.stubEnv('ServiceBusConnection__fullyQualifiedNamespace', 'contoso.servicebus.windows.net');
    vi.stubEnv('KEY_VAULT_KEY_ID', 'https://contoso.vault.azure.net/keys/data-key-wrapping');
    vi.stubEnv('GRAPH_CLIENT_ID', '4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    vi.stubEnv('GRAPH_CLIENT_SECRET', 'secret');

    await expect(import('../../../functions/app.js')).rejects.toThrow(
      /Invalid configuration: COSMOS_ENDPOINT is required/,
    );
  });

  it('when the settings select a local-only adapter, then the entry point refuses them', async () => {
    vi.stubEnv('COSMOS_ENDPOINT', 'https://contoso.documents.azure.com:443/');
    vi.stubEnv('MESSAGE_BUS', 'in-process');
    vi.stubEnv('KEY_VAULT_KEY_ID', 'https://contoso.vault.azure.net/keys/data-key-wrapping');
    vi.stubEnv('GRAPH_CLIENT_ID', '4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    vi.stubEnv('GRAPH_CLIENT_SECRET', 'secret');

    await expect(import('../../../functions/app.js')).rejects.toThrow(/only runs under the local host/);
  });
});
