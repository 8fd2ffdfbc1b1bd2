import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { functionList } from '../functions/functionList.js';
import { sessionQueueNames } from '../shared/bus/queues.js';
import { composeServices, type Services, startServiceTelemetry } from '../shared/composition.js';
import { loadSettings } from '../shared/config/settings.js';
import { isAppError } from '../shared/errors.js';
import { allContainerLayouts } from '../shared/store/containers.js';
import { AdjustableClock } from '../shared/time/clock.js';
import { enableUsers } from '../shared/watch/enablement.js';
import { type EmbeddedCosmos, startEmbeddedCosmos } from './embeddedCosmos.js';
import { globalAdministratorRoleTemplateId } from './graphSimulator/demoTenant.js';
import { GraphSimulator } from './graphSimulator/server.js';
import { InProcessBus } from './inProcessBus.js';
import { LocalFunctionsHost } from './localHost.js';
import { LocalFileKeyWrapper } from './localKeyWrapper.js';
import { ensureLocalTls, relaunchTrustingLocalCa } from './localTls.js';
import { PresenceLog } from './presenceLog.js';
import { defaultFaultSeed, seedFromEnv } from './seededRandom.js';
import { WebexSimulator } from './webexSimulator.js';

/** What `.local/endpoints.json` holds: the public surfaces scripts and tests drive the stack through. */
export interface LocalEndpoints {
  api: string;
  cosmos: { endpoint: string; key: string; database: string };
  /** Graph simulator base, e.g. `https://127.0.0.1:7072/v1.0`. */
  graph: string;
  /** OAuth 2.0 authority of the demo tenant, and its token endpoint. */
  authority: string;
  tokenEndpoint: string;
  /** The simulator's control API (faults, lifecycle events, counters). */
  graphControl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  users: Array<{ id: string; mail: string; displayName: string; isRoom: boolean; preferredLanguage: string }>;
  /** Webex API simulator: base URL (`…/v1`), the token it accepts, its control API. */
  webex: { baseUrl: string; accessToken: string; control: string };
  /** Seed of the simulators' injected faults: the same seed and requests meet the same faults. */
  faultSeed: number;
  /** Every tenant of the Graph simulator: the demo tenant (consented) and those onboarding starts from zero. */
  tenants: LocalTenant[];
}

/** A tenant of the Graph simulator, as `endpoints.json` lists it. */
export interface LocalTenant {
  tenantId: string;
  displayName: string;
  /** Whether the tenant's admin had consented when the stack started. */
  consented: boolean;
  authority: string;
  users: Array<{ id: string; mail: string; displayName: string; isGlobalAdministrator: boolean }>;
  groups: Array<{ id: string; displayName: string }>;
}

export interface LocalStackOptions {
  stateDir: string;
  apiPort: number;
  cosmosPort: number;
  graphPort: number;
  webexPort: number;
  runTimers: boolean;
  /** No function logs on the console (tests). */
  quiet?: boolean;
  /** Seed of the simulators' injected faults (`LOCAL_FAULT_SEED`); default 1. */
  faultSeed?: number;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A random secret made on first run and kept under the state folder. */
async function ensureLocalSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, secret, { mode: 0o600 });
    return secret;
  }
}

const clockSchema = z.object({ advanceMs: z.number().int().min(0) });

/**
 * Local-only admin routes: `GET /admin/queues` and `/admin/queues/{name}` (counts, recent messages,
 * dead letters), `POST /admin/bus/idle` (answers once no message is waiting or being processed),
 * `POST /admin/clock` `{"advanceMs"}` (moves the stack's one clock), `GET /admin/presence` (the
 * presence changes published).
 */
async function localAdminRoute(
  parts: { bus: InProcessBus; clock: AdjustableClock; presence?: PresenceLog },
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown } | undefined> {
  if (method === 'GET' && path === '/queues')
    return { status: 200, body: { queues: parts.bus.queueNames() } };
  const queue = /^\/queues\/([^/]+)$/.exec(path);
  if (method === 'GET' && queue) {
    const name = decodeURIComponent(queue[1] ?? '');
    return {
      status: 200,
      body: { ...parts.bus.diagnostics(name), deadLetters: parts.bus.deadLetterQueue(name) },
    };
  }
  if (method === 'POST' && path === '/bus/idle') {
    // A positive signal for scripts and tests: every message sent so far has been settled.
    await parts.bus.idle();
    return { status: 200, body: { idle: true } };
  }
  if (method === 'POST' && path === '/clock') {
    const parsed = clockSchema.safeParse(body);
    if (!parsed.success)
      return {
        status: 400,
        body: { error: { code: 'input-invalid', message: 'advanceMs (not negative) is required' } },
      };
    parts.clock.advanceBy(parsed.data.advanceMs);
    return { status: 200, body: { now: parts.clock.now().toISOString() } };
  }
  // The presence changes published so far (object ids only), oldest first.
  if (method === 'GET' && path === '/presence' && parts.presence)
    return { status: 200, body: { changes: parts.presence.published() } };
  return undefined;
}

const cloudEventsEnvSchema = z.object({
  CLOUDEVENTS_URL: z.url({ protocol: /^https?$/ }),
  CLOUDEVENTS_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/]+=*$/, 'must be whsec_ followed by base64'),
});

/** `CLOUDEVENTS_URL` and `CLOUDEVENTS_SECRET`: a CloudEvents endpoint for every tenant of the local stack. */
function localCloudEventsEndpoint(env: NodeJS.ProcessEnv): {
  cloudEventsEndpoint?: { url: string; secret: string };
} {
  if (!env.CLOUDEVENTS_URL && !env.CLOUDEVENTS_SECRET) return {};
  const parsed = cloudEventsEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `CLOUDEVENTS_URL and CLOUDEVENTS_SECRET go together: ${parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`).join('; ')}`,
    );
  return {
    cloudEventsEndpoint: { url: parsed.data.CLOUDEVENTS_URL, secret: parsed.data.CLOUDEVENTS_SECRET },
  };
}

export interface RunningLocalStack {
  endpoints: LocalEndpoints;
  services: Services;
  bus: InProcessBus;
  graph: GraphSimulator;
  webex: WebexSimulator;
  /** The one clock of the stack: the service, the bus, the host's timers and the simulators read it. */
  clock: AdjustableClock;
  /** Where the certificate, the local key, the secrets and `endpoints.json` live. */
  stateDir: string;
  stop(): Promise<void>;
}

function portFrom(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${key} must be a port number, got "${raw}"`);
  return port;
}

export function localStackOptionsFrom(env: NodeJS.ProcessEnv): LocalStackOptions {
  return {
    stateDir: resolve(env.LOCAL_STATE_DIR || '.local'),
    apiPort: portFrom(env, 'LOCAL_API_PORT', 7071),
    cosmosPort: portFrom(env, 'LOCAL_COSMOS_PORT', 8081),
    graphPort: portFrom(env, 'LOCAL_GRAPH_PORT', 7072),
    webexPort: portFrom(env, 'LOCAL_WEBEX_PORT', 7073),
    runTimers: env.LOCAL_RUN_TIMERS !== 'false',
    faultSeed: seedFromEnv(env, 'LOCAL_FAULT_SEED', defaultFaultSeed),
  };
}

/**
 * Writes through a temporary file and a rename, readable by the owner only: `endpoints.json` holds
 * the demo app's client secret and the Cosmos key. The temporary file is created afresh (a leftover
 * from a crash would keep its old mode) with 0o600 from its first byte, and the rename keeps it.
 */
async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, path);
}

/**
 * Starts the whole service on this machine: embedded Cosmos DB, the in-process bus, the local key
 * wrapper and the functions host, with the same function list and composition root as Azure.
 * Needs NODE_EXTRA_CA_CERTS to name the local CA (the `main` below arranges that).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  await mkdir(options.stateDir, { recursive: true });
  const tls = await ensureLocalTls(options.stateDir);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const cosmos: EmbeddedCosmos = await startEmbeddedCosmos(tls, options.cosmosPort);
    stops.push(() => cosmos.stop());
    const faultSeed = options.faultSeed ?? defaultFaultSeed;
    // One clock for the whole stack: the service, the bus, the host's timers and the simulators.
    const clock = new AdjustableClock();
    const graph = new GraphSimulator({ tls, port: options.graphPort, faultSeed, clock });
    await graph.start();
    stops.push(() => graph.stop());
    const webex = new WebexSimulator({
      tls,
      port: options.webexPort,
      faultSeed,
      // The demo tenant's rooms each have a workspace with a RoomOS device, its calendar the room mailbox.
      workspaces: graph.tenant.users
        .filter((user) => user.isRoom)
        .map((user) => ({ displayName: user.displayName, calendarEmail: user.mail })),
    });
    await webex.start();
    stops.push(() => webex.stop());
    // Graph needs the notification URL before the host listens, so a port of 0 is settled here.
    const apiPort = options.apiPort === 0 ? await freePort() : options.apiPort;

    // The embedded parts fill in what a deployment would configure; the environment still wins.
    const settings = loadSettings({
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      MESSAGE_BUS: 'in-process',
      KEY_WRAPPING: 'local-file',
      LOCAL_KEY_FILE: join(options.stateDir, 'keys', 'key-wrapping.json'),
      GRAPH_CLIENT_ID: graph.tenant.app.clientId,
      GRAPH_CLIENT_CREDENTIAL: 'client-secret',
      GRAPH_CLIENT_SECRET: graph.tenant.app.clientSecret,
      GRAPH_AUTHORITY_HOST: graph.baseUrl,
      GRAPH_BASE_URL: graph.graphUrl,
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
      CLIENT_STATE_SECRET: await ensureLocalSecret(join(options.stateDir, 'secrets', 'client-state-secret')),
      API_AUTH_ISSUER: `${graph.baseUrl}/{tenantid}/v2.0`,
      API_AUTH_AUDIENCE: graph.identity.apiAudience(),
      API_AUTH_JWKS_URL: `${graph.baseUrl}/common/discovery/v2.0/keys`,
      WEBEX_API_BASE_URL: webex.baseUrl,
      WEBEX_ACCESS_TOKEN: webex.accessToken,
      ...process.env,
    });
    // As in Azure, the queues whose consumers call Graph refuse a message without its mailbox's session.
    const bus = new InProcessBus({ clock, sessionQueues: sessionQueueNames });
    stops.push(() => bus.close());
    const keyWrapper = new LocalFileKeyWrapper(
      settings.keyWrapping.kind === 'local-file' ? settings.keyWrapping.file : '',
    );
    // The same telemetry start as in Azure; OTEL_LOCAL_EXPORT sends it to the console or a file.
    const telemetry = await startServiceTelemetry(settings);
    stops.push(() => telemetry.shutdown());
    const presence = new PresenceLog(options.quiet ? () => undefined : undefined);
    const services = composeServices(settings, {
      bus,
      deadLetterQueues: bus,
      keyWrapper,
      clock,
      presencePublisher: presence,
      console: options.quiet ? () => undefined : (line) => console.log(line),
      ...localCloudEventsEndpoint(process.env),
    });
    await services.store.ensureContainers(allContainerLayouts);

    const host = new LocalFunctionsHost({
      definitions: functionList,
      services,
      bus,
      port: apiPort,
      clock,
      routeAccess: services.routeAccess,
      deadLetters: services.deadLetters,
      runTimers: options.runTimers,
      ...(options.quiet ? { log: () => undefined } : {}),
      adminRoutes: (method, path, body) => localAdminRoute({ bus, clock, presence }, method, path, body),
    });
    const api = await host.start();
    stops.push(() => host.stop());

    const endpoints: LocalEndpoints = {
      api,
      cosmos: { endpoint: cosmos.endpoint, key: cosmos.key, database: settings.cosmos.database },
      graph: graph.graphUrl,
      authority: graph.identity.authority(),
      tokenEndpoint: `${graph.identity.authority()}/oauth2/v2.0/token`,
      graphControl: `${graph.baseUrl}/_control`,
      tenantId: graph.tenant.tenantId,
      clientId: graph.tenant.app.clientId,
      clientSecret: graph.tenant.app.clientSecret,
      users: graph.tenant.users.map((user) => ({
        id: user.id,
        mail: user.mail,
        displayName: user.displayName,
        isRoom: user.isRoom,
        preferredLanguage: user.preferredLanguage,
      })),
      webex: {
        baseUrl: webex.baseUrl,
        accessToken: webex.accessToken,
        control: `${webex.baseUrl.replace(/\/v1$/, '')}/_control`,
      },
      faultSeed,
      tenants: [{ tenant: graph.tenant, groups: [] }, ...graph.otherTenants].map(({ tenant, groups }) => ({
        tenantId: tenant.tenantId,
        displayName: tenant.displayName,
        consented: graph.identity.consentedTenants.has(tenant.tenantId),
        authority: graph.identity.authority(tenant.tenantId),
        users: tenant.users.map((user) => ({
          id: user.id,
          mail: user.mail,
          displayName: user.displayName,
          isGlobalAdministrator: user.directoryRoleTemplateIds.includes(globalAdministratorRoleTemplateId),
        })),
        groups: groups.map((group) => ({ id: group.id, displayName: group.displayName })),
      })),
    };
    // The demo tenant counts as consented; its users are enabled, so subscriptions go live at once.
    await enableUsers(
      services.watch,
      graph.tenant.tenantId,
      graph.tenant.users.map((user) => user.id),
    );
    // endpoints.json appears once the demo users are watched: a client may rely on it at once.
    await bus.idle();
    await writeJsonAtomically(join(options.stateDir, 'endpoints.json'), endpoints);
    return { endpoints, services, bus, graph, webex, clock, stateDir: options.stateDir, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A stack of its own for a test or a benchmark in this process: a fresh state folder that reuses an
 * existing certificate authority (the one this process trusts), free ports, timers off, quiet.
 */
export async function startThrowawayStack(
  tlsDir: string,
  options: { faultSeed?: number } = {},
): Promise<RunningLocalStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'hybrid-calendar-stack-'));
  await cp(tlsDir, join(stateDir, 'tls'), { recursive: true });
  const stack = await startLocalStack({
    stateDir,
    apiPort: 0,
    cosmosPort: 0,
    graphPort: 0,
    webexPort: 0,
    runTimers: false,
    quiet: true,
    ...options,
  });
  await stack.bus.idle();
  return stack;
}

async function main(): Promise<void> {
  const options = localStackOptionsFrom(process.env);
  const tls = await ensureLocalTls(options.stateDir);
  await relaunchTrustingLocalCa(tls.caCertPath);

  const started = Date.now();
  const stack = await startLocalStack(options);
  console.log(
    [
      '',
      `hybrid-calendar local stack is up (${Date.now() - started} ms)`,
      `  functions  ${stack.endpoints.api}   (health: ${stack.endpoints.api}/health)`,
      `  cosmos     ${stack.endpoints.cosmos.endpoint}`,
      `  webex      ${stack.endpoints.webex.baseUrl}`,
      `  graph      ${stack.endpoints.graph}   (authority: ${stack.endpoints.authority})`,
      `  endpoints  ${join(options.stateDir, 'endpoints.json')}`,
      `  faults     seed ${stack.endpoints.faultSeed}   (LOCAL_FAULT_SEED; GET/POST /_control/faults)`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the local stack...');
    await stack.stop();
    console.log('local stack stopped');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE') {
      const port = (error as NodeJS.ErrnoException & { port?: number }).port;
      console.error(
        `Port ${port ?? ''} is in use. Stop what holds it, or move the stack: LOCAL_API_PORT, LOCAL_COSMOS_PORT, LOCAL_GRAPH_PORT, LOCAL_WEBEX_PORT (0 picks free ports).`,
      );
    } else {
      console.error(isAppError(error) ? error.message : error);
    }
    process.exit(1);
  });
}
