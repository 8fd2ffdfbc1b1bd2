// The layering rules of STYLE.md, checked by dependency-cruiser inside `npm test`
// (test/unit/architecture.test.ts). Paths are relative to the project root.

/** Use cases, domain types and ports: everything under shared/ but the adapters, the hosting layer and the composition root. */
const domain = '^shared/(?!adapters/|hosting/|composition\\.ts$)';

/** Each SDK and the only folder allowed to import it. */
const sdkHomes = [
  ['@azure/cosmos', '^shared/adapters/cosmos/'],
  ['@azure/keyvault-keys', '^shared/adapters/keyVault/'],
  ['@azure/core-rest-pipeline', '^shared/adapters/keyVault/'],
  ['@azure/msal-node', '^shared/adapters/graph/'],
  ['@microsoft/microsoft-graph-client', '^shared/adapters/graph/'],
  ['jose', '^shared/adapters/entra/'],
  // The hosting layer maps Service Bus messages the Functions binding hands over (types only).
  ['@azure/service-bus', '^shared/(adapters/serviceBus/|hosting/)'],
  ['@azure/identity', '^shared/(adapters/|composition\\.ts$)'],
  ['@azure/functions', '^shared/hosting/'],
  // The OpenTelemetry SDK and the Azure Monitor distro start in one adapter; the code uses only the API.
  ['@azure/monitor-opentelemetry', '^shared/adapters/openTelemetry/'],
  ['@opentelemetry/sdk-trace-node', '^shared/adapters/openTelemetry/'],
  ['@opentelemetry/sdk-metrics', '^shared/adapters/openTelemetry/'],
  ['@opentelemetry/resources', '^shared/adapters/openTelemetry/'],
];

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-no-adapter',
      comment: 'Use cases and domain types depend on ports; adapters implement them at the edge.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^shared/(adapters/|composition\\.ts$)' },
    },
    {
      name: 'domain-imports-no-hosting',
      comment: 'Use cases know nothing of HTTP requests or queue triggers.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^shared/hosting/' },
    },
    {
      name: 'domain-imports-no-sdk',
      comment: 'No cloud SDK in the domain: it talks to ports.',
      severity: 'error',
      from: { path: domain },
      to: { path: 'node_modules/(@azure|@microsoft|jose)(/|$)' },
    },
    ...sdkHomes.map(([sdk, home]) => ({
      name: `sdk-only-in-its-adapter:${sdk}`,
      comment: `${sdk} is imported only by its adapter.`,
      severity: 'error',
      from: { path: '^(shared|functions)/', pathNot: home },
      to: { path: `node_modules/${sdk.replace('/', '/')}/` },
    })),
    {
      name: 'adapter-imports-no-other-adapter',
      comment: 'An adapter touches one SDK; adapters meet only through ports.',
      severity: 'error',
      from: { path: '^shared/adapters/([^/]+)/' },
      to: { path: '^shared/adapters/', pathNot: '^shared/adapters/$1/' },
    },
    {
      name: 'functions-import-use-cases-and-hosting-only',
      comment: 'A function file parses its trigger, calls a use case and maps the result.',
      severity: 'error',
      // app.ts (the entry point) composes the services; functionList.ts binds each function to its context.
      from: { path: '^functions/', pathNot: '^functions/(app|functionList)\\.ts$' },
      to: { path: '^shared/(adapters/|composition\\.ts$)' },
    },
    {
      name: 'deployed-code-imports-no-dev-test-bench',
      comment: 'dev/ (the local stack), test/ and bench/ are never deployed.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { path: '^(dev|test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'Cycles make a module impossible to read or test on its own.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
