import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxDeliveryCount, queueNames, sessionQueueNames } from '../../../shared/bus/queues.js';
import { settingKeys } from '../../../shared/config/settings.js';
import { allContainerLayouts } from '../../../shared/store/containers.js';
import {
  checkInfrastructure,
  type InfrastructureExpectations,
  type RuleName,
  ruleNames,
} from '../../support/bicepRules.js';
import { parseBicep, readBicepSources } from '../../support/bicepSyntax.js';

const expected: InfrastructureExpectations = {
  queueNames: Object.values(queueNames),
  sessionQueueNames,
  maxDeliveryCount,
  containers: allContainerLayouts,
  settingKeys,
};

const sources = readBicepSources();

/** The real templates with one line of one file changed; fails if the line is not there. */
function mutated(file: string, from: string | RegExp, to: string): Map<string, string> {
  const source = sources.get(file);
  if (source === undefined) throw new Error(`no ${file} under bicep/`);
  if (typeof from === 'string' ? !source.includes(from) : !from.test(source))
    throw new Error(`${file} does not contain ${String(from)}`);
  return new Map(sources).set(file, source.replace(from, to));
}

async function breaksOf(templates: Map<string, string>, rule: RuleName): Promise<string[]> {
  return checkInfrastructure(await parseBicep(templates), expected, [rule]).map(
    (b) => `${b.file}: ${b.message}`,
  );
}

describe('bicep/', () => {
  it('when listed, then it holds main.bicep and its modules', () => {
    expect([...sources.keys()]).toEqual(
      expect.arrayContaining([
        'main.bicep',
        'app/identity.bicep',
        'app/functionApp.bicep',
        'app/storage.bicep',
        'app/monitoring.bicep',
        'app/serviceBus.bicep',
        'app/cosmos.bicep',
        'app/keyVault.bicep',
        'app/rbac.bicep',
        'app/appRegistration.bicep',
      ]),
    );
  });

  it.each(ruleNames)('when checked with rule %s, then the templates keep it', async (rule) => {
    expect(await breaksOf(sources, rule)).toEqual([]);
  });
});

describe('each rule catches a break in a copy of the templates', () => {
  const breaks: {
    rule: RuleName;
    what: string;
    file: string;
    from: string | RegExp;
    to: string;
    names: RegExp;
  }[] = [
    {
      rule: 'parses',
      what: 'an unclosed object',
      file: 'app/storage.bicep',
      from: "  name: 'default'\n}",
      to: "  name: 'default'\n",
      names: /storage\.bicep: syntax error/,
    },
    {
      rule: 'allowed-resource-types',
      what: 'an API version off the allow-list',
      file: 'app/serviceBus.bicep',
      from: "'Microsoft.ServiceBus/namespaces@2024-01-01' = {",
      to: "'Microsoft.ServiceBus/namespaces@2017-04-01' = {",
      names: /API version Microsoft\.ServiceBus\/namespaces@2017-04-01 is not allowed/,
    },
    {
      rule: 'allowed-resource-types',
      what: 'a resource type off the allow-list',
      file: 'app/storage.bicep',
      from: "'Microsoft.Storage/storageAccounts/blobServices@2023-05-01'",
      to: "'Microsoft.Storage/storageAccounts/fileServices@2023-05-01'",
      names: /resource type Microsoft\.Storage\/storageAccounts\/fileServices is not allowed/,
    },
    {
      rule: 'no-keys-or-connection-strings',
      what: 'listKeys(',
      file: 'app/storage.bicep',
      from: 'output name string = storage.name',
      to: 'output name string = storage.listKeys().keys[0].value',
      names: /uses a list\*\(\) function/,
    },
    {
      rule: 'no-keys-or-connection-strings',
      what: 'a storage connection string with AccountKey=',
      file: 'app/functionApp.bicep',
      from: "AzureWebJobsStorage__credential: 'managedidentity'",
      to: "AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc'",
      names: /uses an account or access key/,
    },
    {
      rule: 'no-keys-or-connection-strings',
      what: 'a Service Bus connection string setting',
      file: 'app/functionApp.bicep',
      from: "ServiceBusConnection__credential: 'managedidentity'",
      to: 'ServiceBusConnection: serviceBusConnectionString',
      names: /uses a connection string/,
    },
    {
      rule: 'flex-function-app',
      what: 'another Node version than the code runs on',
      file: 'app/functionApp.bicep',
      from: "version: '20'",
      to: "version: '18'",
      names: /Function App functionAppConfig\.runtime\.version is 18, expected 20/,
    },
    {
      rule: 'flex-function-app',
      what: 'deployment storage without the identity',
      file: 'app/functionApp.bicep',
      from: "type: 'UserAssignedIdentity'",
      to: "type: 'StorageAccountConnectionString'",
      names: /deployment\.storage\.authentication\.type is StorageAccountConnectionString/,
    },
    {
      rule: 'no-keys-or-connection-strings',
      what: 'a Service Bus connection string with a SAS key',
      file: 'app/functionApp.bicep',
      from: 'ServiceBusConnection__clientId: identityClientId',
      to: "ServiceBusConnection: 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b'",
      names: /uses a connection string/,
    },
    {
      rule: 'no-registry-modules',
      what: 'a br/public: module',
      file: 'main.bicep',
      from: "module identity './app/identity.bicep' = {",
      to: "module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.0' = {",
      names:
        /module br\/public:avm\/res\/managed-identity\/user-assigned-identity:0\.4\.0 is not a local file/,
    },
    {
      rule: 'local-auth-disabled',
      what: 'Service Bus local auth on',
      file: 'app/serviceBus.bicep',
      from: 'disableLocalAuth: true',
      to: 'disableLocalAuth: false',
      names: /Service Bus namespace must set properties\.disableLocalAuth: true/,
    },
    {
      rule: 'local-auth-disabled',
      what: 'Cosmos DB local auth left out',
      file: 'app/cosmos.bicep',
      from: '    disableLocalAuth: true\n',
      to: '',
      names: /Cosmos DB account must set properties\.disableLocalAuth: true/,
    },
    {
      rule: 'local-auth-disabled',
      what: 'Application Insights local auth on',
      file: 'app/monitoring.bicep',
      from: 'DisableLocalAuth: true',
      to: 'DisableLocalAuth: false',
      names: /Application Insights applicationInsights must set properties\.DisableLocalAuth: true/,
    },
    {
      rule: 'local-auth-disabled',
      what: 'Key Vault access policies instead of RBAC',
      file: 'app/keyVault.bicep',
      from: 'enableRbacAuthorization: true',
      to: 'enableRbacAuthorization: false',
      names: /Key Vault vault must set properties\.enableRbacAuthorization: true/,
    },
    {
      rule: 'local-auth-disabled',
      what: 'storage shared keys on',
      file: 'app/storage.bicep',
      from: 'allowSharedKeyAccess: false',
      to: 'allowSharedKeyAccess: true',
      names: /Storage storage must set properties\.allowSharedKeyAccess: false/,
    },
    {
      rule: 'data-plane-roles',
      what: 'the Service Bus receiver assignment dropped',
      file: 'app/rbac.bicep',
      from: /resource serviceBusDataReceiver [\s\S]*?\n}\n/,
      to: '',
      names:
        /no Azure Service Bus Data Receiver role assignment scoped to a Microsoft\.ServiceBus\/namespaces/,
    },
    {
      rule: 'data-plane-roles',
      what: 'Owner instead of a data-plane role',
      file: 'app/rbac.bicep',
      from: "var keyVaultCryptoUserRoleId = '12338af0-0e69-4776-bea7-57ae8d297424'",
      to: "var keyVaultCryptoUserRoleId = '8e3af657-a8ff-4c61-a7bf-1c12a2e4e8d3'",
      names: /grants 8e3af657-a8ff-4c61-a7bf-1c12a2e4e8d3, which is not a data-plane role the code needs/,
    },
    {
      rule: 'data-plane-roles',
      what: 'the Cosmos data contributor assignment pointed at the reader role',
      file: 'app/cosmos.bicep',
      from: "var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'",
      to: "var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000001'",
      names: /no Cosmos DB Built-in Data Contributor sqlRoleAssignment/,
    },
    {
      rule: 'role-assignment-names',
      what: 'an assignment named without the role',
      file: 'app/rbac.bicep',
      from: 'name: guid(vault.id, principalId, keyVaultSecretsUserRoleId)',
      to: 'name: guid(vault.id, principalId)',
      names: /role assignment keyVaultSecretsUser must be named guid/,
    },
    {
      rule: 'role-assignment-names',
      what: 'a role GUID without its comment',
      file: 'app/rbac.bicep',
      from: '// Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.\n',
      to: '',
      names: /role variable monitoringMetricsPublisherRoleId has no comment/,
    },
    {
      rule: 'queues-declared',
      what: 'a queue dropped',
      file: 'app/serviceBus.bicep',
      from: "  'user-activation'\n",
      to: '',
      names: /queue user-activation is not declared/,
    },
    {
      rule: 'queues-declared',
      what: 'duplicate detection off',
      file: 'app/serviceBus.bicep',
      from: 'requiresDuplicateDetection: true',
      to: 'requiresDuplicateDetection: false',
      names: /queue event-changes: requiresDuplicateDetection is false, expected true/,
    },
    {
      rule: 'queues-declared',
      what: 'a session queue without sessions',
      file: 'app/serviceBus.bicep',
      from: 'requiresSession: true',
      to: 'requiresSession: false',
      names: /queue event-changes: requiresSession is false, expected true/,
    },
    {
      rule: 'queues-declared',
      what: 'a different delivery count',
      file: 'app/serviceBus.bicep',
      from: 'maxDeliveryCount: 10',
      to: 'maxDeliveryCount: 3',
      names: /queue subscription-lifecycle: maxDeliveryCount is 3, expected 10/,
    },
    {
      rule: 'containers-declared',
      what: 'a container dropped',
      file: 'app/cosmos.bicep',
      from: "  { name: 'dataKeys', partitionKeyPath: '/userId' }\n",
      to: '',
      names: /container dataKeys is not declared/,
    },
    {
      rule: 'containers-declared',
      what: 'a wrong partition key',
      file: 'app/cosmos.bicep',
      from: "{ name: 'users', partitionKeyPath: '/tenantId' }",
      to: "{ name: 'users', partitionKeyPath: '/id' }",
      names: /container users: partition key is not \/tenantId/,
    },
    {
      rule: 'containers-declared',
      what: 'TTL off where records carry their own ttl',
      file: 'app/cosmos.bicep',
      from: "{ name: 'traces', partitionKeyPath: '/userId', defaultTtl: -1 }",
      to: "{ name: 'traces', partitionKeyPath: '/userId' }",
      names: /container traces: defaultTtl is undefined, expected -1/,
    },
    {
      rule: 'app-settings-match-schema',
      what: 'an unknown setting',
      file: 'app/functionApp.bicep',
      from: "    MESSAGE_BUS: 'service-bus'\n",
      to: "    MESSAGE_BUS: 'service-bus'\n    MESSAGE_BUS_FLAVOUR: 'extra'\n",
      names: /app setting MESSAGE_BUS_FLAVOUR is not a setting the service or the host reads/,
    },
    {
      rule: 'app-settings-match-schema',
      what: 'a setting the service reads left out',
      file: 'app/functionApp.bicep',
      from: '    KEY_VAULT_KEY_ID: keyVaultKeyId\n',
      to: '',
      names: /app setting KEY_VAULT_KEY_ID \(read by the service\) is not set/,
    },
    {
      rule: 'app-settings-match-schema',
      what: 'a local-only setting',
      file: 'app/functionApp.bicep',
      from: '    COSMOS_ENDPOINT: cosmosEndpoint\n',
      to: "    COSMOS_ENDPOINT: cosmosEndpoint\n    COSMOS_KEY: 'emulator'\n",
      names: /app setting COSMOS_KEY is local-only/,
    },
    {
      rule: 'graph-extension',
      what: 'Graph resources without the extension',
      file: 'app/appRegistration.bicep',
      from: 'extension microsoftGraphV1\n',
      to: '',
      names: /appRegistration\.bicep: declares Microsoft\.Graph resources without extension microsoftGraphV1/,
    },
    {
      rule: 'parses',
      what: 'an extension named by registry address instead of its alias',
      file: 'app/appRegistration.bicep',
      from: 'extension microsoftGraphV1\n',
      to: "extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'\n",
      names: /appRegistration\.bicep: syntax error/,
    },
    {
      rule: 'app-registration',
      what: 'a single-tenant app',
      file: 'app/appRegistration.bicep',
      from: "signInAudience: 'AzureADMultipleOrgs'",
      to: "signInAudience: 'AzureADMyOrg'",
      names: /must be multi-tenant/,
    },
    {
      rule: 'app-registration',
      what: 'v1 access tokens',
      file: 'app/appRegistration.bicep',
      from: 'requestedAccessTokenVersion: 2',
      to: 'requestedAccessTokenVersion: 1',
      names: /must request v2 access tokens/,
    },
    {
      rule: 'app-registration',
      what: 'the admin role renamed',
      file: 'app/appRegistration.bicep',
      from: "var adminRoleValue = 'HybridCalendar.Admin'",
      to: "var adminRoleValue = 'Calendar.Admin'",
      names: /must define the app role HybridCalendar\.Admin/,
    },
    {
      rule: 'app-registration',
      what: 'the access_as_user scope renamed',
      file: 'app/appRegistration.bicep',
      from: "value: 'access_as_user'",
      to: "value: 'user_impersonation'",
      names: /must expose the access_as_user scope/,
    },
    {
      rule: 'app-registration',
      what: 'the connect callback dropped',
      file: 'app/appRegistration.bicep',
      from: /^ {6}'\$\{publicBaseUrl\}\/api\/connect\/callback'\n/m,
      to: '',
      names: /web redirect URI \/api\/connect\/callback is missing/,
    },
    {
      rule: 'app-registration',
      what: 'the console redirect dropped',
      file: 'app/appRegistration.bicep',
      from: /redirectUris: \['\$\{publicBaseUrl\}\/api\/console\/'\]/,
      to: 'redirectUris: []',
      names: /SPA redirect URI \/api\/console\/ is missing/,
    },
    {
      rule: 'app-registration',
      what: 'a permission no feature uses (Mail.Read)',
      file: 'app/appRegistration.bicep',
      from: "        { id: mailboxSettingsReadRoleId, type: 'Role' }\n",
      to: "        { id: mailboxSettingsReadRoleId, type: 'Role' }\n        { id: '810c84a8-4a9e-49e6-bf7d-12d183f40d01', type: 'Role' }\n",
      names:
        /Graph permission 810c84a8-4a9e-49e6-bf7d-12d183f40d01 \(Role\) is not one the built features use/,
    },
    {
      rule: 'app-registration',
      what: 'Calendars.ReadWrite for the app left out',
      file: 'app/appRegistration.bicep',
      from: "        { id: calendarsReadWriteRoleId, type: 'Role' }\n",
      to: '',
      names: /Graph permission Calendars\.ReadWrite \(Role\) is missing/,
    },
    {
      rule: 'app-registration',
      what: 'a client secret on the app',
      file: 'app/appRegistration.bicep',
      from: "  signInAudience: 'AzureADMultipleOrgs'\n",
      to: "  signInAudience: 'AzureADMultipleOrgs'\n  passwordCredentials: [{ displayName: 'secret' }]\n",
      names: /must hold no passwordCredentials/,
    },
    {
      rule: 'app-registration',
      what: 'a federated credential for another audience',
      file: 'app/appRegistration.bicep',
      from: "var tokenExchangeAudience = 'api://AzureADTokenExchange'",
      to: "var tokenExchangeAudience = 'api://SomethingElse'",
      names: /no federated identity credential trusts the managed identity/,
    },
    {
      rule: 'app-registration',
      what: 'a federated credential with a fixed subject',
      file: 'app/appRegistration.bicep',
      from: '  subject: managedIdentityPrincipalId\n',
      to: "  subject: 'repo:contoso/app:ref:refs/heads/main'\n",
      names: /no federated identity credential trusts the managed identity/,
    },
    {
      rule: 'app-registration',
      what: 'no service principal',
      file: 'app/appRegistration.bicep',
      from: "resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0'",
      to: "resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' existing",
      names: /no service principal/,
    },
    {
      rule: 'secrets-from-key-vault',
      what: 'a secret as a plain value',
      file: 'app/functionApp.bicep',
      from: "WEBEX_ACCESS_TOKEN: '@Microsoft.KeyVault(SecretUri=",
      to: "WEBEX_ACCESS_TOKEN: 'plain-token-(SecretUri=",
      names: /app setting WEBEX_ACCESS_TOKEN must be a Key Vault reference/,
    },
  ];

  it('when a comment mentions listKeys( or a connection string, then no rule objects', async () => {
    const found = await breaksOf(
      mutated(
        'app/storage.bicep',
        'param name string',
        '// never listKeys( nor a ConnectionString here\nparam name string',
      ),
      'no-keys-or-connection-strings',
    );

    expect(found).toEqual([]);
  });

  it.each(breaks)('when $what, then rule $rule names it', async ({ rule, file, from, to, names }) => {
    const found = await breaksOf(mutated(file, from, to), rule);

    expect(found).toContainEqual(expect.stringMatching(names));
  });

  it('when every rule has a break test, then none is left unproven', () => {
    expect(new Set(breaks.map((b) => b.rule))).toEqual(new Set(ruleNames));
  });
});

describe('bicepconfig.json', () => {
  it('when Bicep restores extensions, then the Graph alias names the v1.0 types at a pinned version', () => {
    const config = JSON.parse(
      readFileSync(new URL('../../../bicepconfig.json', import.meta.url), 'utf8'),
    ) as {
      extensions?: Record<string, string>;
    };

    expect(config.extensions?.microsoftGraphV1).toMatch(
      /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/,
    );
  });
});

describe('azure.yaml', () => {
  const root = new URL('../../../', import.meta.url);
  const azureYaml = readFileSync(new URL('azure.yaml', root), 'utf8');

  it('when azd provisions, then it runs bicep/main.bicep with parameters that main.bicep declares', async () => {
    const parameters = JSON.parse(readFileSync(new URL('bicep/main.parameters.json', root), 'utf8')) as {
      parameters: Record<string, unknown>;
    };
    const [main] = await parseBicep(new Map([['main.bicep', sources.get('main.bicep') ?? '']]));
    const declared = (main?.root.namedChildren ?? [])
      .filter((node) => node.type === 'parameter_declaration')
      .map((node) => node.namedChildren[0]?.text);

    expect(azureYaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: bicep\n {2}module: main$/m);
    expect(declared).toEqual(expect.arrayContaining(Object.keys(parameters.parameters)));
  });

  it('when azd deploys, then service api is a function app that the Bicep tags for it', () => {
    expect(azureYaml).toMatch(/^ {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m);
    expect(sources.get('app/functionApp.bicep')).toContain("'azd-service-name': 'api'");
  });

  it('when provisioning ends, then the postprovision hook scripts it names exist', () => {
    const scripts = [...azureYaml.matchAll(/run: \.\/(\S+)/g)].map((match) => match[1] ?? '');

    expect(scripts).toEqual(['bicep/hooks/postprovision.sh', 'bicep/hooks/postprovision.ps1']);
    for (const script of scripts) expect(existsSync(new URL(script, root))).toBe(true);
  });
});
