import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSettings, settingKeys } from '../../../shared/config/settings.js';
import { AppError } from '../../../shared/errors.js';
import { appSettingKeys, localOnlySettings } from '../../support/bicepRules.js';
import { parseBicep, readBicepSources } from '../../support/bicepSyntax.js';
import { buildAzureEnvironment } from '../../support/settings.js';

function configurationError(env: Record<string, string | undefined>): AppError {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected loadSettings to fail');
}

describe('loadSettings', () => {
  it('when the Azure settings are present, then it reads them with defaults for the rest', () => {
    const settings = loadSettings(buildAzureEnvironment());

    expect(settings).toEqual({
      cosmos: {
        endpoint: 'https://contoso.documents.azure.com:443/',
        database: 'hybrid-calendar',
        key: undefined,
      },
      managedIdentityClientId: '5b2f3c4d-6e7f-4a81-9b0c-1d2e3f4a5b6c',
      messageBus: { kind: 'service-bus', fullyQualifiedNamespace: 'contoso.servicebus.windows.net' },
      keyWrapping: { kind: 'key-vault', keyId: 'https://contoso.vault.azure.net/keys/data-key-wrapping' },
      graph: {
        clientId: '4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
        credential: {
          kind: 'managed-identity-federation',
          managedIdentityClientId: '5b2f3c4d-6e7f-4a81-9b0c-1d2e3f4a5b6c',
        },
        authorityHost: 'https://login.microsoftonline.com',
        baseUrl: 'https://graph.microsoft.com/v1.0',
      },
      publicBaseUrl: 'https://contoso-calendar.azurewebsites.net',
      clientStateSecret: Buffer.alloc(32, 7),
      apiAuth: {
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        audience: 'api://4a1e2b3c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
        jwksUrl: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
        adminRole: 'HybridCalendar.Admin',
      },
      webex: { baseUrl: 'https://webexapis.com/v1', accessToken: 'webex-token' },
      presence: { pollPeriodMs: 900_000 },
      telemetry: { applicationInsightsConnectionString: undefined, localExport: { kind: 'none' } },
    });
  });

  it('when the presence poll period is not a whole number of minutes from 1 to 1440, then it is refused', () => {
    expect(configurationError({ PRESENCE_POLL_MINUTES: '0' }).message).toContain('PRESENCE_POLL_MINUTES');
    expect(configurationError({ PRESENCE_POLL_MINUTES: '7.5' }).message).toContain('PRESENCE_POLL_MINUTES');
    expect(loadSettings({ ...buildAzureEnvironment(), PRESENCE_POLL_MINUTES: '5' }).presence).toEqual({
      pollPeriodMs: 300_000,
    });
  });

  it('when several settings are missing or invalid, then one error names every one of them', () => {
    const error = configurationError({
      COSMOS_ENDPOINT: 'http://not-https.example',
      AZURE_CLIENT_ID: 'not-a-guid',
      MESSAGE_BUS: 'carrier-pigeon',
    });

    expect(error.code).toBe('configuration-invalid');
    expect(error.message).toContain('COSMOS_ENDPOINT must be the https:// endpoint');
    expect(error.message).toContain('AZURE_CLIENT_ID must be the client id');
    expect(error.message).toContain('MESSAGE_BUS');
    expect(error.message).toContain('KEY_VAULT_KEY_ID is required when KEY_WRAPPING is key-vault');
  });

  it('when nothing is set, then the required settings are each reported as required', () => {
    const error = configurationError({});

    expect(error.message).toContain('COSMOS_ENDPOINT is required');
    expect(error.message).toContain('ServiceBusConnection__fullyQualifiedNamespace is required');
    expect(error.message).toContain('KEY_VAULT_KEY_ID is required');
    expect(error.message).toContain('GRAPH_CLIENT_ID is required');
    expect(error.message).toContain(
      'AZURE_CLIENT_ID (the managed identity the app registration trusts) is required',
    );
  });

  it('when the client-secret credential is chosen, then the secret is required and used', () => {
    const missing = configurationError(buildAzureEnvironment({ GRAPH_CLIENT_CREDENTIAL: 'client-secret' }));
    const settings = loadSettings(
      buildAzureEnvironment({
        GRAPH_CLIENT_CREDENTIAL: 'client-secret',
        GRAPH_CLIENT_SECRET: 'secret-value-7',
        AZURE_CLIENT_ID: undefined,
      }),
    );

    expect(missing.message).toContain(
      'GRAPH_CLIENT_SECRET is required when GRAPH_CLIENT_CREDENTIAL is client-secret',
    );
    expect(settings.graph.credential).toEqual({ kind: 'client-secret', secret: 'secret-value-7' });
  });

  it('when a setting holds a secret and is invalid, then the message does not echo its value', () => {
    const error = configurationError(
      buildAzureEnvironment({
        COSMOS_ENDPOINT: 'https://x',
        KEY_VAULT_KEY_ID: 'https://vault/secret-value-42',
      }),
    );

    expect(error.message).toContain('KEY_VAULT_KEY_ID');
    expect(error.message).not.toContain('secret-value-42');
  });

  it('when the local adapters are chosen, then Service Bus and Key Vault settings are not needed', () => {
    const settings = loadSettings(
      buildAzureEnvironment({
        COSMOS_ENDPOINT: 'https://127.0.0.1:8081',
        COSMOS_KEY: 'local-key',
        MESSAGE_BUS: 'in-process',
        ServiceBusConnection__fullyQualifiedNamespace: undefined,
        KEY_WRAPPING: 'local-file',
        KEY_VAULT_KEY_ID: undefined,
        LOCAL_KEY_FILE: '.local/keys/key-wrapping.json',
      }),
    );

    expect(settings.messageBus).toEqual({ kind: 'in-process' });
    expect(settings.keyWrapping).toEqual({ kind: 'local-file', file: '.local/keys/key-wrapping.json' });
    expect(settings.cosmos.key).toBe('local-key');
  });

  it('when telemetry is configured, then Azure Monitor or the local export is chosen', () => {
    const local = loadSettings(buildAzureEnvironment({ OTEL_LOCAL_EXPORT: 'file:.local/telemetry.jsonl' }));
    const azure = loadSettings(
      buildAzureEnvironment({
        APPLICATIONINSIGHTS_CONNECTION_STRING:
          'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      }),
    );
    const bad = configurationError(buildAzureEnvironment({ OTEL_LOCAL_EXPORT: 'otlp' }));

    expect(local.telemetry.localExport).toEqual({ kind: 'file', path: '.local/telemetry.jsonl' });
    expect(azure.telemetry.applicationInsightsConnectionString).toContain('InstrumentationKey=');
    expect(bad.message).toContain('OTEL_LOCAL_EXPORT must be console or file:<path>');
  });

  it('when the clientState secret is short, then it is refused without echoing it', () => {
    const error = configurationError(buildAzureEnvironment({ CLIENT_STATE_SECRET: 'c2hvcnQ=' }));

    expect(error.message).toContain('CLIENT_STATE_SECRET must be base64 of at least 32 random bytes');
    expect(error.message).not.toContain('c2hvcnQ=');
  });

  it('when a setting is an empty string, then it counts as unset', () => {
    expect(
      loadSettings(buildAzureEnvironment({ COSMOS_KEY: '', LOCAL_KEY_FILE: '' })).cosmos.key,
    ).toBeUndefined();
  });
});

describe('local.settings.sample.json', () => {
  // Settings the Functions host itself reads; the code never does.
  const hostSettings = new Set(['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage']);
  const sample = JSON.parse(
    readFileSync(new URL('../../../local.settings.sample.json', import.meta.url), 'utf8'),
  ) as {
    Values: Record<string, string>;
  };

  it('when compared with the settings schema, then it lists every key the code reads', () => {
    expect(
      Object.keys(sample.Values)
        .filter((key) => !hostSettings.has(key))
        .sort(),
    ).toEqual([...settingKeys].sort());
  });
});

describe('the Bicep app settings (bicep/app/functionApp.bicep)', () => {
  // Settings the Functions host reads for its own identity-based connections; the code never does.
  const isHostSetting = (key: string) =>
    /^(FUNCTIONS_|AzureWebJobsStorage__|APPLICATIONINSIGHTS_AUTHENTICATION_STRING$)/.test(key) ||
    /^ServiceBusConnection__(credential|clientId)$/.test(key);

  it('when compared with the settings schema, then they set every key but the local-only ones', async () => {
    const keys = appSettingKeys(await parseBicep(readBicepSources())) ?? [];

    expect(keys.filter((key) => !isHostSetting(key)).sort()).toEqual(
      settingKeys.filter((key) => !localOnlySettings.includes(key)).sort(),
    );
  });
});
