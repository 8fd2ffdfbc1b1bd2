import {
  BicepExpression,
  type BicepFile,
  type BicepResource,
  type BicepValue,
  leadingComment,
  propertyKey,
  propertyNode,
  resources,
  stringValue,
  syntaxErrors,
  variables,
  withoutComments,
} from './bicepSyntax.js';

/** One broken rule, named so that a failing test says what to fix and where. */
export interface RuleBreak {
  rule: RuleName;
  file: string;
  message: string;
}

/** What the code expects of the infrastructure, taken from the code itself by the tests. */
export interface InfrastructureExpectations {
  queueNames: readonly string[];
  /** The queues that must be session-enabled (`requiresSession: true`). */
  sessionQueueNames: readonly string[];
  maxDeliveryCount: number;
  containers: readonly { containerId: string; partitionKeyPath: string; defaultTtlSeconds?: number }[];
  settingKeys: readonly string[];
  /** The app role the API checks for admin routes (API_ADMIN_ROLE's default). */
  adminRole?: string;
}

/** Settings only the local stack and emulators use; never set in Azure. */
export const localOnlySettings: readonly string[] = [
  'COSMOS_KEY',
  'LOCAL_KEY_FILE',
  'GRAPH_CLIENT_SECRET',
  'OTEL_LOCAL_EXPORT',
];

/** Settings the Functions host reads for itself, beside those of the settings schema. */
const hostSettingPatterns = [
  /^FUNCTIONS_/,
  /^AzureWebJobsStorage__/,
  /^APPLICATIONINSIGHTS_/,
  /^ServiceBusConnection__/,
  /^AZURE_CLIENT_ID$/,
];

/** Settings whose value is a secret, so in Azure a Key Vault reference. */
const secretSettings: readonly string[] = ['CLIENT_STATE_SECRET', 'WEBEX_ACCESS_TOKEN'];

/** Resource types and the API versions checked against their documentation. */
const allowedResourceTypes: Readonly<Record<string, readonly string[]>> = {
  'Microsoft.Resources/resourceGroups': ['2021-04-01'],
  'Microsoft.ManagedIdentity/userAssignedIdentities': ['2023-01-31'],
  'Microsoft.OperationalInsights/workspaces': ['2023-09-01'],
  'Microsoft.Insights/components': ['2020-02-02'],
  'Microsoft.Storage/storageAccounts': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/blobServices': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/blobServices/containers': ['2023-05-01'],
  'Microsoft.ServiceBus/namespaces': ['2024-01-01'],
  'Microsoft.ServiceBus/namespaces/queues': ['2024-01-01'],
  'Microsoft.DocumentDB/databaseAccounts': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments': ['2024-11-15'],
  'Microsoft.KeyVault/vaults': ['2023-07-01'],
  'Microsoft.KeyVault/vaults/keys': ['2023-07-01'],
  'Microsoft.KeyVault/vaults/secrets': ['2023-07-01'],
  'Microsoft.Web/serverfarms': ['2023-12-01'],
  'Microsoft.Web/sites': ['2023-12-01'],
  'Microsoft.Web/sites/config': ['2023-12-01'],
  'Microsoft.Authorization/roleAssignments': ['2022-04-01'],
  // The Microsoft Graph Bicep extension (v1.0 types, bicepconfig.json alias microsoftGraphV1).
  'Microsoft.Graph/applications': ['v1.0'],
  'Microsoft.Graph/applications/federatedIdentityCredentials': ['v1.0'],
  'Microsoft.Graph/servicePrincipals': ['v1.0'],
};

/** The bicepconfig.json alias of the Microsoft Graph v1.0 extension. */
export const graphExtensionAlias = 'microsoftGraphV1';

/**
 * The Graph permissions the built features use (least privilege), by id, each with its name. The
 * app registration may request these and no other; the application ones (Role) are required.
 */
const allowedGraphPermissions: Readonly<Record<string, { name: string; type: 'Role' | 'Scope' }>> = {
  'ef54d2bf-783f-4e0f-bca1-3210c0444d99': { name: 'Calendars.ReadWrite', type: 'Role' },
  '40f97065-369a-49f4-947c-6a255697ae91': { name: 'MailboxSettings.Read', type: 'Role' },
  'df021288-bdef-4463-88db-98f22de89214': { name: 'User.Read.All', type: 'Role' },
  '98830695-27a2-44f7-8c18-0c3ebc9698f6': { name: 'GroupMember.Read.All', type: 'Role' },
  'dbb9058a-0e50-45d7-ae91-66909b5d4664': { name: 'Domain.Read.All', type: 'Role' },
  '1ec239c2-d7c9-4623-a91a-a9775856bb36': { name: 'Calendars.ReadWrite', type: 'Scope' },
  '818c620a-27a9-40bd-a6a5-d96f7d610b4b': { name: 'MailboxSettings.ReadWrite', type: 'Scope' },
  'e1fe6dd8-ba31-4d61-89e7-88639da4683d': { name: 'User.Read', type: 'Scope' },
  '37f7f235-527c-4136-accd-4a02d197296e': { name: 'openid', type: 'Scope' },
  '14dad69e-099b-42c9-810b-d002981feec1': { name: 'profile', type: 'Scope' },
  '7427e0e9-2fba-42fe-b0c0-848c9e6a8182': { name: 'offline_access', type: 'Scope' },
};
const requiredGraphPermissions = [
  'ef54d2bf-783f-4e0f-bca1-3210c0444d99',
  '40f97065-369a-49f4-947c-6a255697ae91',
  'df021288-bdef-4463-88db-98f22de89214',
  '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'dbb9058a-0e50-45d7-ae91-66909b5d4664',
];
const microsoftGraphAppId = '00000003-0000-0000-c000-000000000000';

/** The data-plane roles the code needs, each on the resource type it must be scoped to. */
const requiredRoles: readonly { name: string; id: string; scopeType: string }[] = [
  {
    name: 'Storage Blob Data Owner',
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    scopeType: 'Microsoft.Storage/storageAccounts',
  },
  {
    name: 'Storage Queue Data Contributor',
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    scopeType: 'Microsoft.Storage/storageAccounts',
  },
  {
    name: 'Storage Table Data Contributor',
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    scopeType: 'Microsoft.Storage/storageAccounts',
  },
  {
    name: 'Azure Service Bus Data Sender',
    id: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
    scopeType: 'Microsoft.ServiceBus/namespaces',
  },
  {
    name: 'Azure Service Bus Data Receiver',
    id: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
    scopeType: 'Microsoft.ServiceBus/namespaces',
  },
  {
    name: 'Key Vault Crypto User',
    id: '12338af0-0e69-4776-bea7-57ae8d297424',
    scopeType: 'Microsoft.KeyVault/vaults',
  },
  {
    name: 'Key Vault Secrets User',
    id: '4633458b-17de-408a-b874-0445c86b69e6',
    scopeType: 'Microsoft.KeyVault/vaults',
  },
  {
    name: 'Monitoring Metrics Publisher',
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    scopeType: 'Microsoft.Insights/components',
  },
];

/** Cosmos DB Built-in Data Contributor, a Cosmos data-plane role (sqlRoleAssignments). */
const cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002';

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Rule = (files: readonly BicepFile[], expected: InfrastructureExpectations) => Omit<RuleBreak, 'rule'>[];

function get(value: BicepValue, ...path: string[]): BicepValue {
  let current = value;
  for (const key of path) {
    if (
      typeof current !== 'object' ||
      current === null ||
      Array.isArray(current) ||
      current instanceof BicepExpression
    )
      return undefined;
    current = current[key];
  }
  return current;
}

function declared(files: readonly BicepFile[], type: string): BicepResource[] {
  return resources(files).filter((resource) => resource.type === type && !resource.existing);
}

/** Role GUID variables of a file (`var xRoleId = '<guid>'`), by name. */
function roleVariables(file: BicepFile): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, node] of variables(file)) {
    const value = stringValue(node);
    if (value && guidPattern.test(value)) found.set(name, value.toLowerCase());
  }
  return found;
}

/** The role GUIDs an expression names, through role variables or literally. */
function roleIdsIn(text: string, roleVars: Map<string, string>): string[] {
  const ids = [...roleVars].filter(([name]) => new RegExp(`\\b${name}\\b`).test(text)).map(([, id]) => id);
  const literals = text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [];
  return [...ids, ...literals.map((id) => id.toLowerCase())];
}

const rules = {
  /** Every file parses without ERROR or MISSING nodes. */
  parses: (files) =>
    files.flatMap((file) =>
      syntaxErrors(file).map((error) => ({
        file: file.path,
        message: `syntax error at line ${error.line}: ${error.text.slice(0, 60)}`,
      })),
    ),

  /** Resource types and API versions come from the allow-list. */
  'allowed-resource-types': (files) =>
    resources(files).flatMap((resource) => {
      const versions = allowedResourceTypes[resource.type];
      if (!versions)
        return [{ file: resource.file.path, message: `resource type ${resource.type} is not allowed` }];
      if (!versions.includes(resource.apiVersion))
        return [
          {
            file: resource.file.path,
            message: `API version ${resource.type}@${resource.apiVersion} is not allowed (allowed: ${versions.join(', ')})`,
          },
        ];
      return [];
    }),

  /**
   * No keys and no connection strings: no list*() functions, account keys or SAS keys. The one
   * connection string allowed is Application Insights' (an ingestion address without a secret;
   * local auth is off, so it only works together with the Entra ID authentication string).
   */
  'no-keys-or-connection-strings': (files) =>
    files.flatMap((file) =>
      withoutComments(file)
        .split('\n')
        .flatMap((line, index) => {
          const found: string[] = [];
          if (/\blist[A-Z]\w*\s*\(/.test(line)) found.push('a list*() function');
          if (/AccountKey=|SharedAccessKey|primaryKey|primaryMasterKey|secondaryKey/i.test(line))
            found.push('an account or access key');
          const appInsights =
            /^\s*APPLICATIONINSIGHTS_CONNECTION_STRING:\s*\w+\.properties\.ConnectionString\s*$/;
          if (
            /connection_?string|DefaultEndpointsProtocol=|Endpoint=sb:/i.test(line) &&
            !appInsights.test(line)
          )
            found.push('a connection string');
          if (/SharedAccessSignature|\bsig=/i.test(line)) found.push('a shared access signature');
          return found.map((what) => ({
            file: file.path,
            message: `line ${index + 1} uses ${what}: ${line.trim()}`,
          }));
        }),
    ),

  /** Modules are local files: no public or private module registries. */
  'no-registry-modules': (files) =>
    files.flatMap((file) =>
      file.root.namedChildren
        .filter((node) => node.type === 'module_declaration')
        .flatMap((node) => {
          const path = node.namedChildren[1] ? stringValue(node.namedChildren[1]) : undefined;
          return path?.startsWith('./') || path?.startsWith('../')
            ? []
            : [{ file: file.path, message: `module ${path ?? node.text.slice(0, 40)} is not a local file` }];
        }),
    ),

  /** Local (key) auth is off everywhere an identity works; Key Vault uses RBAC and keeps deleted keys. */
  'local-auth-disabled': (files) => {
    const checks: { type: string; label: string; property: string; expected: boolean }[] = [
      {
        type: 'Microsoft.ServiceBus/namespaces',
        label: 'Service Bus',
        property: 'disableLocalAuth',
        expected: true,
      },
      {
        type: 'Microsoft.DocumentDB/databaseAccounts',
        label: 'Cosmos DB',
        property: 'disableLocalAuth',
        expected: true,
      },
      {
        type: 'Microsoft.Insights/components',
        label: 'Application Insights',
        property: 'DisableLocalAuth',
        expected: true,
      },
      {
        type: 'Microsoft.Storage/storageAccounts',
        label: 'Storage',
        property: 'allowSharedKeyAccess',
        expected: false,
      },
      {
        type: 'Microsoft.KeyVault/vaults',
        label: 'Key Vault',
        property: 'enableRbacAuthorization',
        expected: true,
      },
      { type: 'Microsoft.KeyVault/vaults', label: 'Key Vault', property: 'enableSoftDelete', expected: true },
      {
        type: 'Microsoft.KeyVault/vaults',
        label: 'Key Vault',
        property: 'enablePurgeProtection',
        expected: true,
      },
    ];
    return checks.flatMap((check) => {
      const found = declared(files, check.type);
      if (found.length === 0)
        return [{ file: '(all)', message: `no ${check.label} resource (${check.type}) is declared` }];
      return found.flatMap((resource) =>
        resource.instances
          .filter((instance) => get(instance.value, 'properties', check.property) !== check.expected)
          .map(() => ({
            file: resource.file.path,
            message: `${check.label} ${resource.symbol} must set properties.${check.property}: ${check.expected}`,
          })),
      );
    });
  },

  /** Each data plane the code touches has its role for the identity, and no other role is granted. */
  'data-plane-roles': (files) => {
    const all = resources(files);
    const granted: { id: string; scopeType: string }[] = [];
    const problems: Omit<RuleBreak, 'rule'>[] = [];
    const allowedIds = new Set(requiredRoles.map((role) => role.id));
    for (const assignment of all.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')) {
      const roleVars = roleVariables(assignment.file);
      for (const instance of assignment.instances) {
        const properties = propertyNode(instance.body, 'properties');
        const roleNode = properties ? propertyNode(properties, 'roleDefinitionId') : undefined;
        const ids = roleNode ? roleIdsIn(roleNode.text, roleVars) : [];
        const scopeSymbol = propertyNode(instance.body, 'scope')?.text;
        const scope = all.find((r) => r.file === assignment.file && r.symbol === scopeSymbol);
        if (ids.length !== 1 || !ids[0]) {
          problems.push({
            file: assignment.file.path,
            message: `role assignment ${assignment.symbol} names no known role`,
          });
          continue;
        }
        if (!allowedIds.has(ids[0]))
          problems.push({
            file: assignment.file.path,
            message: `role assignment ${assignment.symbol} grants ${ids[0]}, which is not a data-plane role the code needs`,
          });
        granted.push({ id: ids[0], scopeType: scope?.type ?? '(resource group or subscription)' });
      }
    }
    for (const role of requiredRoles) {
      if (!granted.some((g) => g.id === role.id && g.scopeType === role.scopeType))
        problems.push({
          file: '(all)',
          message: `no ${role.name} role assignment scoped to a ${role.scopeType}`,
        });
    }
    const cosmos = all.filter((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
    const cosmosGranted = cosmos.some((assignment) =>
      assignment.instances.some((instance) => {
        const properties = propertyNode(instance.body, 'properties');
        const roleNode = properties ? propertyNode(properties, 'roleDefinitionId') : undefined;
        return roleNode
          ? roleIdsIn(roleNode.text, roleVariables(assignment.file)).includes(cosmosDataContributorRoleId)
          : false;
      }),
    );
    if (!cosmosGranted)
      problems.push({ file: '(all)', message: 'no Cosmos DB Built-in Data Contributor sqlRoleAssignment' });
    return problems;
  },

  /** Assignments are named guid(scope, principal, role), and every role GUID is a commented variable. */
  'role-assignment-names': (files) =>
    resources(files)
      .filter((r) =>
        [
          'Microsoft.Authorization/roleAssignments',
          'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
        ].includes(r.type),
      )
      .flatMap((assignment) => {
        const problems: Omit<RuleBreak, 'rule'>[] = [];
        const roleVars = roleVariables(assignment.file);
        for (const instance of assignment.instances) {
          const name = propertyNode(instance.body, 'name');
          const args =
            name?.type === 'call_expression' ? name.childForFieldName('arguments')?.namedChildren : undefined;
          const [scope, principal, role] = args ?? [];
          const wellFormed =
            name?.childForFieldName('function')?.text === 'guid' &&
            args?.length === 3 &&
            /\.id$/.test(scope?.text ?? '') &&
            /principalId/i.test(principal?.text ?? '') &&
            roleVars.has(role?.text ?? '');
          if (!wellFormed)
            problems.push({
              file: assignment.file.path,
              message: `role assignment ${assignment.symbol} must be named guid(<scope>.id, <principalId>, <role variable>)`,
            });
        }
        const declarations = assignment.file.root.namedChildren.filter(
          (n) => n.type === 'variable_declaration',
        );
        for (const declaration of declarations) {
          const name = declaration.namedChildren[0]?.text ?? '';
          if (roleVars.has(name) && leadingComment(declaration).length < 10)
            problems.push({
              file: assignment.file.path,
              message: `role variable ${name} has no comment naming the role`,
            });
        }
        return problems;
      })
      .filter((problem, index, all) => all.findIndex((p) => p.message === problem.message) === index),

  /** Every queue of queueNames exists, with the delivery settings the code relies on. */
  'queues-declared': (files, expected) => {
    const instances = declared(files, 'Microsoft.ServiceBus/namespaces/queues').flatMap((queue) =>
      queue.instances.map((instance) => ({ file: queue.file.path, value: instance.value })),
    );
    const names = instances.map((instance) => get(instance.value, 'name'));
    const problems: Omit<RuleBreak, 'rule'>[] = [];
    for (const name of expected.queueNames)
      if (!names.includes(name)) problems.push({ file: '(all)', message: `queue ${name} is not declared` });
    for (const { file, value } of instances) {
      const name = String(get(value, 'name'));
      if (!expected.queueNames.includes(name))
        problems.push({ file, message: `queue ${name} is not in queueNames (shared/bus/queues.ts)` });
      const expectations: [string, BicepValue][] = [
        ['maxDeliveryCount', expected.maxDeliveryCount],
        ['requiresDuplicateDetection', true],
        ['duplicateDetectionHistoryTimeWindow', 'PT10M'],
        ['deadLetteringOnMessageExpiration', true],
        // A session queue refuses messages without a SessionId, and the trigger listens for sessions:
        // both sides must agree, so the setting is checked either way.
        ['requiresSession', expected.sessionQueueNames.includes(name) ? true : undefined],
      ];
      for (const [property, wanted] of expectations) {
        const actual = get(value, 'properties', property);
        if (actual !== wanted)
          problems.push({
            file,
            message: `queue ${name}: ${property} is ${String(actual)}, expected ${String(wanted)}`,
          });
      }
      const lock = get(value, 'properties', 'lockDuration');
      if (typeof lock !== 'string' || !/^PT\d+[MS]$/.test(lock))
        problems.push({ file, message: `queue ${name}: lockDuration must be set as an ISO 8601 duration` });
    }
    return problems;
  },

  /** Every container of containerLayouts exists with its partition key and TTL. */
  'containers-declared': (files, expected) => {
    const instances = declared(
      files,
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
    ).flatMap((container) =>
      container.instances.map((instance) => ({ file: container.file.path, value: instance.value })),
    );
    const problems: Omit<RuleBreak, 'rule'>[] = [];
    for (const layout of expected.containers) {
      const found = instances.find(
        ({ value }) => get(value, 'properties', 'resource', 'id') === layout.containerId,
      );
      if (!found) {
        problems.push({ file: '(all)', message: `container ${layout.containerId} is not declared` });
        continue;
      }
      const paths = get(found.value, 'properties', 'resource', 'partitionKey', 'paths');
      if (!Array.isArray(paths) || paths.length !== 1 || paths[0] !== layout.partitionKeyPath)
        problems.push({
          file: found.file,
          message: `container ${layout.containerId}: partition key is not ${layout.partitionKeyPath}`,
        });
      const ttl = get(found.value, 'properties', 'resource', 'defaultTtl') ?? undefined;
      if (ttl !== layout.defaultTtlSeconds)
        problems.push({
          file: found.file,
          message: `container ${layout.containerId}: defaultTtl is ${String(ttl)}, expected ${String(layout.defaultTtlSeconds)}`,
        });
    }
    for (const { file, value } of instances) {
      const id = get(value, 'properties', 'resource', 'id');
      if (!expected.containers.some((layout) => layout.containerId === id))
        problems.push({
          file,
          message: `container ${String(id)} is not in containerLayouts (shared/store/containers.ts)`,
        });
    }
    return problems;
  },

  /**
   * The app settings set every key of the settings schema except the local-only ones, and nothing
   * the schema does not know apart from the Functions host's own keys.
   */
  'app-settings-match-schema': (files, expected) => {
    const keys = appSettingKeys(files);
    if (!keys)
      return [{ file: '(all)', message: 'no appsettings config with an object literal is declared' }];
    const problems: Omit<RuleBreak, 'rule'>[] = [];
    for (const key of expected.settingKeys)
      if (!localOnlySettings.includes(key) && !keys.includes(key))
        problems.push({ file: '(all)', message: `app setting ${key} (read by the service) is not set` });
    for (const key of keys) {
      if (localOnlySettings.includes(key))
        problems.push({
          file: '(all)',
          message: `app setting ${key} is local-only and must not be set in Azure`,
        });
      else if (
        !expected.settingKeys.includes(key) &&
        !hostSettingPatterns.some((pattern) => pattern.test(key))
      )
        problems.push({
          file: '(all)',
          message: `app setting ${key} is not a setting the service or the host reads`,
        });
    }
    return problems;
  },

  /**
   * The app runs on Flex Consumption with Node 20 (the code's engine), as the user-assigned identity,
   * which also reads the deployment container and resolves the Key Vault references.
   */
  'flex-function-app': (files) => {
    const problems: Omit<RuleBreak, 'rule'>[] = [];
    const plans = declared(files, 'Microsoft.Web/serverfarms');
    if (!plans.some((plan) => plan.instances.some((i) => get(i.value, 'sku', 'name') === 'FC1')))
      problems.push({ file: '(all)', message: 'no Flex Consumption (FC1) plan is declared' });
    const sites = declared(files, 'Microsoft.Web/sites');
    if (sites.length === 0) problems.push({ file: '(all)', message: 'no Function App is declared' });
    for (const site of sites) {
      for (const { value } of site.instances) {
        const config = get(value, 'properties', 'functionAppConfig');
        const expectations: [string, BicepValue, BicepValue][] = [
          ['identity.type', get(value, 'identity', 'type'), 'UserAssigned'],
          ['functionAppConfig.runtime.name', get(config, 'runtime', 'name'), 'node'],
          ['functionAppConfig.runtime.version', get(config, 'runtime', 'version'), '20'],
          [
            'functionAppConfig.deployment.storage.type',
            get(config, 'deployment', 'storage', 'type'),
            'blobContainer',
          ],
          [
            'functionAppConfig.deployment.storage.authentication.type',
            get(config, 'deployment', 'storage', 'authentication', 'type'),
            'UserAssignedIdentity',
          ],
        ];
        for (const [path, actual, wanted] of expectations)
          if (actual !== wanted)
            problems.push({
              file: site.file.path,
              message: `Function App ${path} is ${String(actual)}, expected ${String(wanted)}`,
            });
        for (const path of [
          ['scaleAndConcurrency', 'instanceMemoryMB'],
          ['scaleAndConcurrency', 'maximumInstanceCount'],
        ])
          if (!(get(config, ...path) instanceof BicepExpression))
            problems.push({
              file: site.file.path,
              message: `Function App ${path.join('.')} must come from a parameter`,
            });
        if (!(get(value, 'properties', 'keyVaultReferenceIdentity') instanceof BicepExpression))
          problems.push({
            file: site.file.path,
            message: 'Function App must resolve Key Vault references with its identity',
          });
      }
    }
    return problems;
  },

  /** Secret settings are Key Vault references. */
  /** Files that declare Microsoft Graph resources load the Graph extension by its bicepconfig.json alias. */
  'graph-extension': (files) =>
    files.flatMap((file) => {
      const usesGraph = resources([file]).some((resource) => resource.type.startsWith('Microsoft.Graph/'));
      if (!usesGraph || file.extensions.includes(graphExtensionAlias)) return [];
      return [
        {
          file: file.path,
          message: `declares Microsoft.Graph resources without extension ${graphExtensionAlias}`,
        },
      ];
    }),

  /**
   * The app registration: multi-tenant, v2 tokens, the admin app role and access_as_user scope, the
   * redirect URIs, only allowed Graph permissions, no secret or certificate, a federated credential
   * trusting the managed identity, and the home tenant's service principal.
   */
  'app-registration': (files, expected) => {
    const breaks: { file: string; message: string }[] = [];
    const applications = declared(files, 'Microsoft.Graph/applications');
    const [application] = applications;
    if (!application || applications.length !== 1)
      return [
        {
          file: '(all)',
          message: 'exactly one app registration (Microsoft.Graph/applications) must be declared',
        },
      ];
    const file = application.file.path;
    const app = application.instances[0]?.value ?? {};
    const texts = (value: BicepValue): string[] =>
      Array.isArray(value)
        ? value.map((item) => (item instanceof BicepExpression ? item.text : String(item)))
        : [];
    const values = (value: BicepValue, key: string): BicepValue[] =>
      Array.isArray(value) ? value.map((item) => get(item, key)) : [];
    if (get(app, 'signInAudience') !== 'AzureADMultipleOrgs')
      breaks.push({
        file,
        message: 'the app registration must be multi-tenant (signInAudience AzureADMultipleOrgs)',
      });
    if (get(app, 'api', 'requestedAccessTokenVersion') !== 2)
      breaks.push({
        file,
        message: 'the app registration must request v2 access tokens (api.requestedAccessTokenVersion 2)',
      });
    if (!values(get(app, 'api', 'oauth2PermissionScopes'), 'value').includes('access_as_user'))
      breaks.push({ file, message: 'the app registration must expose the access_as_user scope' });
    const adminRole = expected.adminRole ?? 'HybridCalendar.Admin';
    if (!values(get(app, 'appRoles'), 'value').includes(adminRole))
      breaks.push({ file, message: `the app registration must define the app role ${adminRole}` });
    const web = texts(get(app, 'web', 'redirectUris'));
    for (const path of ['/api/onboarding/tenant/callback', '/api/connect/callback'])
      if (!web.some((uri) => uri.endsWith(`${path}'`) || uri.endsWith(path)))
        breaks.push({ file, message: `web redirect URI ${path} is missing` });
    const spa = texts(get(app, 'spa', 'redirectUris'));
    if (!spa.some((uri) => uri.endsWith("/api/console/'") || uri.endsWith('/api/console/')))
      breaks.push({ file, message: 'SPA redirect URI /api/console/ is missing' });
    for (const key of ['passwordCredentials', 'keyCredentials'])
      if (get(app, key) !== undefined)
        breaks.push({
          file,
          message: `the app registration must hold no ${key}: the managed identity is its credential`,
        });
    const requested: string[] = [];
    const access = get(app, 'requiredResourceAccess');
    for (const resource of Array.isArray(access) ? access : []) {
      if (get(resource, 'resourceAppId') !== microsoftGraphAppId) {
        breaks.push({ file, message: 'only Microsoft Graph permissions may be requested' });
        continue;
      }
      const entries = get(resource, 'resourceAccess');
      for (const entry of Array.isArray(entries) ? entries : []) {
        const id = String(get(entry, 'id')).toLowerCase();
        const allowed = allowedGraphPermissions[id];
        if (!allowed || allowed.type !== get(entry, 'type'))
          breaks.push({
            file,
            message: `Graph permission ${id} (${String(get(entry, 'type'))}) is not one the built features use`,
          });
        else requested.push(id);
      }
    }
    for (const id of requiredGraphPermissions)
      if (!requested.includes(id))
        breaks.push({
          file,
          message: `Graph permission ${allowedGraphPermissions[id]?.name} (Role) is missing`,
        });
    const credentials = declared(files, 'Microsoft.Graph/applications/federatedIdentityCredentials');
    const trusted = credentials.filter((credential) => {
      const value = credential.instances[0]?.value ?? {};
      const issuer = get(value, 'issuer');
      const subject = get(value, 'subject');
      return (
        JSON.stringify(get(value, 'audiences')) === JSON.stringify(['api://AzureADTokenExchange']) &&
        issuer instanceof BicepExpression &&
        /tenant\(\)\.tenantId\}\/v2\.0'$/.test(issuer.text) &&
        subject instanceof BicepExpression &&
        /principalid/i.test(subject.text)
      );
    });
    if (trusted.length === 0)
      breaks.push({
        file,
        message:
          'no federated identity credential trusts the managed identity (issuer {login}/{tenant}/v2.0, subject its principal id, audience api://AzureADTokenExchange)',
      });
    if (declared(files, 'Microsoft.Graph/servicePrincipals').length === 0)
      breaks.push({
        file,
        message: 'no service principal (Microsoft.Graph/servicePrincipals) for the home tenant',
      });
    return breaks;
  },

  'secrets-from-key-vault': (files) => {
    const config = appSettingsResource(files);
    if (!config) return [{ file: '(all)', message: 'no appsettings config is declared' }];
    return secretSettings.flatMap((key) => {
      const value = config.properties ? propertyNode(config.properties, key) : undefined;
      return value?.text.startsWith("'@Microsoft.KeyVault(SecretUri=")
        ? []
        : [{ file: config.file.path, message: `app setting ${key} must be a Key Vault reference` }];
    });
  },
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof rules;

export const ruleNames = Object.keys(rules) as RuleName[];

function appSettingsResource(files: readonly BicepFile[]) {
  for (const resource of declared(files, 'Microsoft.Web/sites/config')) {
    const instance = resource.instances[0];
    if (instance && get(instance.value, 'name') === 'appsettings') {
      const properties = propertyNode(instance.body, 'properties');
      return { file: resource.file, properties: properties?.type === 'object' ? properties : undefined };
    }
  }
  return undefined;
}

/** The keys of the Function App's app settings, read from its one object literal. */
export function appSettingKeys(files: readonly BicepFile[]): string[] | undefined {
  const properties = appSettingsResource(files)?.properties;
  return properties?.namedChildren.filter((n) => n.type === 'object_property').map(propertyKey);
}

/** Runs one rule, or all of them. */
export function checkInfrastructure(
  files: readonly BicepFile[],
  expected: InfrastructureExpectations,
  only: readonly RuleName[] = ruleNames,
): RuleBreak[] {
  return only.flatMap((rule) => rules[rule](files, expected).map((found) => ({ rule, ...found })));
}
