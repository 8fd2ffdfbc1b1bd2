import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildAzureEnvironment } from '../../support/settings.js';

// functions/app.ts is what the Functions host loads. Outside the host @azure/functions runs in test
// mode and ignores registrations, so these tests check the cold-start path itself: settings read,
// adapters composed, every definition accepted by app.*, or one clear failure.
function stubEnvironment(values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) vi.stubEnv(key, value ?? '');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the Azure entry point', () => {
  it('when the settings are valid, then loading it composes the services and registers without error', async () => {
    stubEnvironment(buildAzureEnvironment());

    await expect(import('../../../functions/app.js')).resolves.toBeDefined();
    // A cold import of every SDK the app uses: seconds on a shared, busy machine.
  }, 30_000);

  it('when a setting is missing, then loading it fails with the configuration message', async () => {
    stubEnvironment(buildAzureEnvironment({ COSMOS_ENDPOINT: '' }));

    await expect(import('../../../functions/app.js')).rejects.toThrow(
      /Invalid configuration: COSMOS_ENDPOINT is required/,
    );
  });

  it('when the settings select a local-only adapter, then the entry point refuses them', async () => {
    stubEnvironment(buildAzureEnvironment({ MESSAGE_BUS: 'in-process' }));

    await expect(import('../../../functions/app.js')).rejects.toThrow(/only runs under the local host/);
  });
});
