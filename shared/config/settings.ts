import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Every setting the code reads, by the exact environment key. `local.settings.sample.json` and the
 * Bicep app settings (`bicep/app/functionApp.bicep`) list the same keys; a test keeps the three in
 * step (only the local-only keys are absent from Bicep).
 */
const settingsSchema = z.object({
  COSMOS_ENDPOINT: z.url({
    protocol: /^https$/,
    error: 'must be the https:// endpoint of the Cosmos DB account',
  }),
  COSMOS_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9-_]{1,255}$/, 'must be a Cosmos DB database id (letters, digits, - and _)')
    .default('hybrid-calendar'),
  /** Only for emulators and the local stack: in Azure the managed identity signs Cosmos requests. */
  COSMOS_KEY: z.string().min(1).optional(),
  /** Client id of the user-assigned managed identity; unset means the system-assigned one. */
  AZURE_CLIENT_ID: z.uuid('must be the client id (a GUID) of the managed identity').optional(),
  MESSAGE_BUS: z.enum(['service-bus', 'in-process']).default('service-bus'),
  /** Same key the Functions host reads for the Service Bus triggers' identity-based connection. */
  ServiceBusConnection__fullyQualifiedNamespace: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a host name such as contoso.servicebus.windows.net')
    .optional(),
  KEY_WRAPPING: z.enum(['key-vault', 'local-file']).default('key-vault'),
  KEY_VAULT_KEY_ID: z
    .url({
      protocol: /^https$/,
      error: 'must be a Key Vault key id such as https://vault.vault.azure.net/keys/name',
    })
    .refine((value) => /\/keys\/[^/]+(\/[^/]+)?\/?$/.test(new URL(value).pathname), {
      message: 'must be a Key Vault key id such as https://vault.vault.azure.net/keys/name',
    })
    .optional(),
  LOCAL_KEY_FILE: z.string().min(1).optional(),
  /** The app registration's client id (Entra ID). */
  GRAPH_CLIENT_ID: z.uuid('must be the application (client) id, a GUID'),
  /**
   * How the service proves to Entra ID that it is the app: `managed-identity-federation` (Azure's
   * default: a token of the managed identity `AZURE_CLIENT_ID` is the client assertion, trusted by the
   * app registration's federated identity credential; no secret exists) or `client-secret` (local
   * runs and hosts without a managed identity).
   */
  GRAPH_CLIENT_CREDENTIAL: z
    .enum(['managed-identity-federation', 'client-secret'])
    .default('managed-identity-federation'),
  /** The app registration's client secret, only with GRAPH_CLIENT_CREDENTIAL client-secret; never set in Azure. */
  GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
  GRAPH_AUTHORITY_HOST: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL such as https://login.microsoftonline.com' })
    .default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL such as https://graph.microsoft.com/v1.0' })
    .default('https://graph.microsoft.com/v1.0'),
  /** The app's public base URL, where Graph posts notifications (`{base}/api/notifications`). */
  PUBLIC_BASE_URL: z.url({
    protocol: /^https?$/,
    error: 'must be the public http(s):// base URL of the function app',
  }),
  /**
   * Base64 of at least 32 random bytes; signs subscriptions' clientState, and (each with a key derived
   * from it) the sign-in flows' `state` and onboarding's form sessions. A Key Vault reference in Azure.
   */
  CLIENT_STATE_SECRET: z
    .string()
    .refine(
      (value) => Buffer.from(value, 'base64').length >= 32,
      'must be base64 of at least 32 random bytes',
    ),
  /** Expected issuer of API tokens; `{tenantid}` stands for the token's tenant. */
  API_AUTH_ISSUER: z
    .string()
    .regex(
      /^https:\/\//,
      'must be an https:// issuer, e.g. https://login.microsoftonline.com/{tenantid}/v2.0',
    ),
  /** Expected audience of API tokens, e.g. api://{client id}. */
  API_AUTH_AUDIENCE: z.string().min(1),
  API_AUTH_JWKS_URL: z.url({
    protocol: /^https$/,
    error: "must be the https:// URL of the issuer's signing keys",
  }),
  API_ADMIN_ROLE: z.string().min(1).default('HybridCalendar.Admin'),
  WEBEX_API_BASE_URL: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL such as https://webexapis.com/v1' })
    .default('https://webexapis.com/v1'),
  /** A Webex service app or bot token; a Key Vault reference in Azure. */
  WEBEX_ACCESS_TOKEN: z.string().min(1),
  /** How often each activated user's automatic replies are read (Graph has no notifications for them). */
  PRESENCE_POLL_MINUTES: z.coerce
    .number()
    .int()
    .min(1, 'must be a whole number of minutes from 1 to 1440')
    .max(1440, 'must be a whole number of minutes from 1 to 1440')
    .default(15),
  /**
   * Where traces and metrics go in Azure (the Functions host reads the same key). Authenticated with
   * the managed identity (`APPLICATIONINSIGHTS_AUTHENTICATION_STRING`), so it carries no secret.
   */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .regex(/InstrumentationKey=/i, 'must be an Application Insights connection string')
    .optional(),
  /** Local runs only: `console`, or `file:<path>` for JSON lines of spans and metrics. Never set in Azure. */
  OTEL_LOCAL_EXPORT: z
    .string()
    .regex(/^(console|file:.+)$/, 'must be console or file:<path>')
    .optional(),
});

export type SettingKey = keyof z.input<typeof settingsSchema>;

/** The keys the service reads, for the test that keeps the sample settings and Bicep in step. */
export const settingKeys = Object.keys(settingsSchema.shape) as SettingKey[];

type RawSettings = z.output<typeof settingsSchema>;

/** How the service authenticates as the app registration to Entra ID (see GRAPH_CLIENT_CREDENTIAL). */
export type GraphClientCredential =
  | { kind: 'client-secret'; secret: string }
  | { kind: 'managed-identity-federation'; managedIdentityClientId: string };

/** Configuration in the shape the composition root needs, read once at cold start. */
export interface Settings {
  cosmos: { endpoint: string; database: string; key: string | undefined };
  managedIdentityClientId: string | undefined;
  messageBus: { kind: 'service-bus'; fullyQualifiedNamespace: string } | { kind: 'in-process' };
  keyWrapping: { kind: 'key-vault'; keyId: string } | { kind: 'local-file'; file: string };
  graph: { clientId: string; credential: GraphClientCredential; authorityHost: string; baseUrl: string };
  publicBaseUrl: string;
  clientStateSecret: Buffer;
  apiAuth: { issuer: string; audience: string; jwksUrl: string; adminRole: string };
  webex: { baseUrl: string; accessToken: string };
  /** Out-of-office presence: each activated user's automatic replies are read once per this period. */
  presence: { pollPeriodMs: number };
  telemetry: TelemetrySettings;
}

/** Where traces and metrics go: Azure Monitor when the connection string is set, else the local export. */
export interface TelemetrySettings {
  applicationInsightsConnectionString: string | undefined;
  localExport: { kind: 'none' } | { kind: 'console' } | { kind: 'file'; path: string };
}

function toSettings(raw: RawSettings): Settings {
  return {
    cosmos: { endpoint: raw.COSMOS_ENDPOINT, database: raw.COSMOS_DATABASE, key: raw.COSMOS_KEY },
    managedIdentityClientId: raw.AZURE_CLIENT_ID,
    // conditionalProblems guarantees the conditional values exist; `?? ''` only satisfies the type.
    messageBus:
      raw.MESSAGE_BUS === 'in-process'
        ? { kind: 'in-process' }
        : {
            kind: 'service-bus',
            fullyQualifiedNamespace: raw.ServiceBusConnection__fullyQualifiedNamespace ?? '',
          },
    keyWrapping:
      raw.KEY_WRAPPING === 'local-file'
        ? { kind: 'local-file', file: raw.LOCAL_KEY_FILE ?? '' }
        : { kind: 'key-vault', keyId: raw.KEY_VAULT_KEY_ID ?? '' },
    graph: {
      clientId: raw.GRAPH_CLIENT_ID,
      credential:
        raw.GRAPH_CLIENT_CREDENTIAL === 'client-secret'
          ? { kind: 'client-secret', secret: raw.GRAPH_CLIENT_SECRET ?? '' }
          : { kind: 'managed-identity-federation', managedIdentityClientId: raw.AZURE_CLIENT_ID ?? '' },
      authorityHost: raw.GRAPH_AUTHORITY_HOST,
      baseUrl: raw.GRAPH_BASE_URL,
    },
    publicBaseUrl: raw.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    clientStateSecret: Buffer.from(raw.CLIENT_STATE_SECRET, 'base64'),
    apiAuth: {
      issuer: raw.API_AUTH_ISSUER,
      audience: raw.API_AUTH_AUDIENCE,
      jwksUrl: raw.API_AUTH_JWKS_URL,
      adminRole: raw.API_ADMIN_ROLE,
    },
    webex: { baseUrl: raw.WEBEX_API_BASE_URL, accessToken: raw.WEBEX_ACCESS_TOKEN },
    presence: { pollPeriodMs: raw.PRESENCE_POLL_MINUTES * 60_000 },
    telemetry: {
      applicationInsightsConnectionString: raw.APPLICATIONINSIGHTS_CONNECTION_STRING,
      localExport:
        raw.OTEL_LOCAL_EXPORT === undefined
          ? { kind: 'none' }
          : raw.OTEL_LOCAL_EXPORT === 'console'
            ? { kind: 'console' }
            : { kind: 'file', path: raw.OTEL_LOCAL_EXPORT.slice('file:'.length) },
    },
  };
}

/**
 * Settings required only with some adapters. Checked on the raw values, apart from the schema, so
 * that they are reported together with every other problem.
 */
function conditionalProblems(present: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  const messageBus = present.MESSAGE_BUS ?? 'service-bus';
  const keyWrapping = present.KEY_WRAPPING ?? 'key-vault';
  if (messageBus === 'service-bus' && !present.ServiceBusConnection__fullyQualifiedNamespace) {
    problems.push(
      'ServiceBusConnection__fullyQualifiedNamespace is required when MESSAGE_BUS is service-bus',
    );
  }
  if (keyWrapping === 'key-vault' && !present.KEY_VAULT_KEY_ID) {
    problems.push('KEY_VAULT_KEY_ID is required when KEY_WRAPPING is key-vault');
  }
  if (keyWrapping === 'local-file' && !present.LOCAL_KEY_FILE) {
    problems.push('LOCAL_KEY_FILE is required when KEY_WRAPPING is local-file');
  }
  const graphCredential = present.GRAPH_CLIENT_CREDENTIAL ?? 'managed-identity-federation';
  if (graphCredential === 'client-secret' && !present.GRAPH_CLIENT_SECRET) {
    problems.push('GRAPH_CLIENT_SECRET is required when GRAPH_CLIENT_CREDENTIAL is client-secret');
  }
  if (graphCredential === 'managed-identity-federation' && !present.AZURE_CLIENT_ID) {
    problems.push(
      'AZURE_CLIENT_ID (the managed identity the app registration trusts) is required when GRAPH_CLIENT_CREDENTIAL is managed-identity-federation',
    );
  }
  return problems;
}

/**
 * Reads the settings from the environment. Fails with one message that names every missing or
 * invalid setting, so an administrator fixes them all in one go. Values are never echoed: some are
 * secrets.
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const present: Record<string, string | undefined> = Object.fromEntries(
    settingKeys
      .map((key) => [key, env[key] === '' ? undefined : env[key]] as const)
      .filter(([, v]) => v !== undefined),
  );
  const parsed = settingsSchema.safeParse(present);
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const key = String(issue.path[0] ?? 'settings');
    const reason =
      issue.code === 'invalid_type' && present[key] === undefined ? 'is required' : issue.message;
    return `${key} ${reason}`;
  });
  problems.push(...conditionalProblems(present));
  if (parsed.success && problems.length === 0) return toSettings(parsed.data);
  throw new AppError('configuration-invalid', `Invalid configuration: ${problems.join('; ')}.`);
}
