import { randomInt } from 'node:crypto';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  type CloudEventsEndpoint,
  CloudEventsPublisher,
} from './adapters/cloudEvents/cloudEventsPublisher.js';
import { ConsoleChannel } from './adapters/console/consoleChannel.js';
import { CosmosDeadLetterRecords } from './adapters/cosmos/cosmosDeadLetterRecords.js';
import { CosmosDocumentStore } from './adapters/cosmos/cosmosDocumentStore.js';
import { CosmosEventTraces } from './adapters/cosmos/cosmosEventTraces.js';
import { CosmosJoinDeliveries } from './adapters/cosmos/cosmosJoinDeliveries.js';
import { CosmosKnownTenants } from './adapters/cosmos/cosmosKnownTenants.js';
import { CosmosMeetingRecords } from './adapters/cosmos/cosmosMeetingRecords.js';
import { CosmosTenantSettings } from './adapters/cosmos/cosmosTenantSettings.js';
import { CosmosWatchedUsers } from './adapters/cosmos/cosmosWatchedUsers.js';
import { apiAudiences, BearerAuthenticator } from './adapters/entra/bearerAuth.js';
import type { CalendarGateway } from './adapters/graph/calendarGateway.js';
import { GraphCalendar } from './adapters/graph/graphCalendar.js';
import { GraphCalendarGateway } from './adapters/graph/graphCalendarGateway.js';
import { graphNotificationReader } from './adapters/graph/graphChangeNotifications.js';
import { GraphMailboxWatch } from './adapters/graph/graphMailboxWatch.js';
import { MsalTokenProvider } from './adapters/graph/msalTokenProvider.js';
import { KeyVaultKeyWrapper } from './adapters/keyVault/keyVaultKeyWrapper.js';
import { ServiceBusDeadLetterQueues } from './adapters/serviceBus/serviceBusDeadLetterQueues.js';
import { ServiceBusMessageBus } from './adapters/serviceBus/serviceBusMessageBus.js';
import { WebexJoinDetails } from './adapters/webex/webexJoinDetails.js';
import { WebexMessages } from './adapters/webex/webexMessages.js';
import { WebexRoomDevices } from './adapters/webex/webexRoomDevices.js';
import type { ApiAuthenticator } from './auth/apiAuthenticator.js';
import type { RouteAccessContext } from './auth/routeAccess.js';
import type { DeadLetterRecords } from './bus/deadLetterRecords.js';
import type { DeadLetterQueues } from './bus/deadLetterRedrive.js';
import type { MessageBus } from './bus/messageBus.js';
import type { DelegatedTokenProvider, GraphTokenProvider } from './calendar/tokenProvider.js';
import type { Settings } from './config/settings.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from './crypto/envelopeEncryption.js';
import { AppError } from './errors.js';
import type { HealthProbe } from './health/checkHealth.js';
import { graphTokenProbe } from './health/dependencyProbes.js';
import type { KeyWrapper } from './keys/keyWrapping.js';
import { JoinServiceRecovery } from './meetings/joinServiceRecovery.js';
import type { MeetingsContext } from './meetings/meetingsContext.js';
import { RecordedEventIds } from './meetings/recordedEventIds.js';
import { type TenantDocument, TenantSettingsCache, tenants } from './meetings/tenantSettings.js';
import { CachedRecipientLanguages } from './notifications/cachedRecipientLanguages.js';
import { CloudEventEndpoints, cloudEventEndpointDocuments } from './notifications/cloudEventEndpoints.js';
import type { JoinNotificationsContext } from './notifications/joinNotificationsContext.js';
import { JoinNotificationScheduler } from './notifications/joinScheduler.js';
import { Counters } from './observability/counters.js';
import type { PresencePublisher } from './presence/presencePublisher.js';
import { seededJitter } from './random/seededRandom.js';
import type { DocumentCollection, DocumentStore } from './store/documentStore.js';
import { type Clock, systemClock } from './time/clock.js';
import { ClientStateSigner } from './watch/clientState.js';
import { DroppedNotificationSummary } from './watch/droppedNotifications.js';
import { requestReconciliation } from './watch/reconciliation.js';
import type { WatchContext } from './watch/watchContext.js';
import { watchedUsers } from './watch/watchedUser.js';

/** Everything a function handler may use: ports only, never an SDK client. */
export interface Services {
  settings: Settings;
  clock: Clock;
  store: DocumentStore;
  bus: MessageBus;
  /** Why messages were dead-lettered: recorded by the hosting layer, read by the admin API. */
  deadLetters: DeadLetterRecords;
  /** The bus's dead-letter queues, for re-driving dead letters back to their queues. */
  deadLetterQueues: DeadLetterQueues;
  keyWrapper: KeyWrapper;
  /** Microsoft Graph, with app-only tokens per consented tenant. */
  calendar: CalendarGateway;
  /** Tokens for Graph: app-only, and the "connect your calendar" flow. */
  tokens: GraphTokenProvider & DelegatedTokenProvider;
  /** Calendar watch: users, subscriptions, notifications. */
  watch: WatchContext;
  /** Bearer-token authentication of the HTTP API. */
  auth: ApiAuthenticator;
  /** How the hosting layer checks the caller of a protected route. */
  routeAccess: RouteAccessContext;
  counters: Counters;
  /** Event processing: decoration, sealed meeting records, traces. */
  meetings: MeetingsContext;
  /** Data keys, for statistics (unwraps per cache lifetime). */
  keyRing: DataKeyRing;
  tenantSettings: TenantSettingsCache;
  tenants: DocumentCollection<TenantDocument>;
  healthProbes: readonly HealthProbe[];
  /** Join notifications: scheduling (hooked into the meetings records) and the channels. */
  notifications: JoinNotificationsContext;
  /** The channels that carry presence changes (CloudEvents; the console in local runs). */
  presencePublishers: readonly PresencePublisher[];
  /** Each tenant's CloudEvents endpoints (secrets sealed). */
  cloudEventEndpoints: CloudEventEndpoints;
}

/**
 * Adapters that exist only under the local host (`dev/`): the in-process bus and the file-based key
 * wrapper have no place in a deployment, so the settings can only select them when they are given.
 */
export interface LocalParts {
  bus?: MessageBus;
  /** The in-process bus's dead letters; given together with `bus`. */
  deadLetterQueues?: DeadLetterQueues;
  keyWrapper?: KeyWrapper;
  clock?: Clock;
  /** Local runs: where the console channel prints what would be sent (no console channel without it). */
  console?: (line: string) => void;
  /** Local runs: a CloudEvents endpoint for every tenant (`CLOUDEVENTS_URL`, `CLOUDEVENTS_SECRET`). */
  cloudEventsEndpoint?: CloudEventsEndpoint;
}

/**
 * The composition root: builds the real adapters from the settings. Azure's entry point calls it
 * with no local parts; the local host passes its stand-ins.
 */
export function composeServices(settings: Settings, local: LocalParts = {}): Services {
  let credential: TokenCredential | undefined;
  const azureCredential = (): TokenCredential => {
    credential ??= new DefaultAzureCredential(
      settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {},
    );
    return credential;
  };

  const store = new CosmosDocumentStore({
    endpoint: settings.cosmos.endpoint,
    database: settings.cosmos.database,
    auth: settings.cosmos.key ? { key: settings.cosmos.key } : { credential: azureCredential() },
  });

  let bus: MessageBus;
  let deadLetterQueues: DeadLetterQueues;
  if (settings.messageBus.kind === 'service-bus') {
    bus = new ServiceBusMessageBus(settings.messageBus.fullyQualifiedNamespace, azureCredential());
    deadLetterQueues = new ServiceBusDeadLetterQueues(
      settings.messageBus.fullyQualifiedNamespace,
      azureCredential(),
    );
  } else if (local.bus && local.deadLetterQueues) {
    bus = local.bus;
    deadLetterQueues = local.deadLetterQueues;
  } else {
    throw new AppError(
      'configuration-invalid',
      'Invalid configuration: MESSAGE_BUS in-process only runs under the local host.',
    );
  }

  let keyWrapper: KeyWrapper;
  if (settings.keyWrapping.kind === 'key-vault') {
    keyWrapper = new KeyVaultKeyWrapper(settings.keyWrapping.keyId, azureCredential());
  } else if (local.keyWrapper) {
    keyWrapper = local.keyWrapper;
  } else {
    throw new AppError(
      'configuration-invalid',
      'Invalid configuration: KEY_WRAPPING local-file only runs under the local host.',
    );
  }

  const clock = local.clock ?? systemClock;
  const tokens = new MsalTokenProvider({
    clientId: settings.graph.clientId,
    clientSecret: settings.graph.clientSecret,
    authorityHost: settings.graph.authorityHost,
    clock,
  });
  const calendar = new GraphCalendarGateway({
    graphBaseUrl: settings.graph.baseUrl,
    tokens,
    clock,
    // Each instance draws its jitter from its own seed, so instances do not retry in step.
    jitter: seededJitter(randomInt(0, 2 ** 32)),
  });

  const counters = new Counters();
  const webex = new WebexJoinDetails(settings.webex);
  const keyRing = new DataKeyRing({ wrapper: keyWrapper, keys: store.collection(dataKeys), clock });
  const records = new CosmosMeetingRecords(store);
  const cipher = new EnvelopeCipher(keyRing);
  const watch: WatchContext = {
    users: new CosmosWatchedUsers(store.collection(watchedUsers), clock),
    mailboxes: new GraphMailboxWatch(calendar),
    bus,
    clock,
    clientState: new ClientStateSigner(settings.clientStateSecret),
    notifications: graphNotificationReader,
    counters,
    droppedNotifications: new DroppedNotificationSummary(clock),
    recordedEvents: new RecordedEventIds({ records, cipher }),
    publicBaseUrl: settings.publicBaseUrl,
  };

  const tenantDocuments = store.collection(tenants);
  const tenantSettingsStore = new CosmosTenantSettings(store);
  const tenantSettings = new TenantSettingsCache(tenantSettingsStore, clock);
  const meetings: MeetingsContext = {
    users: watch.users,
    calendar: new GraphCalendar(calendar),
    records,
    traces: new CosmosEventTraces(store),
    tenantSettingsStore,
    cipher,
    joinDetails: webex,
    // Webex back after an outage: the mailboxes that waited on it are reconciled at once.
    joinServiceRecovery: new JoinServiceRecovery((mailbox) =>
      requestReconciliation(watch, mailbox, 'recovered', `webex-back-${clock.now().toISOString()}`),
    ),
    tenantSettings,
    clock,
    counters,
  };

  const consoleChannel = local.console ? new ConsoleChannel(local.console) : undefined;
  const localEndpoints = local.cloudEventsEndpoint ? [local.cloudEventsEndpoint] : [];
  const cloudEventEndpoints = new CloudEventEndpoints({
    documents: store.collection(cloudEventEndpointDocuments),
    cipher,
    clock,
  });
  const cloudEvents = new CloudEventsPublisher({
    endpointsOf: async (tenantId) => [
      ...localEndpoints,
      ...(await cloudEventEndpoints.endpointsOf(tenantId)),
    ],
    clock,
  });
  const notifications: JoinNotificationsContext = {
    records,
    cipher,
    tenantSettings,
    bus,
    markers: new CosmosJoinDeliveries(store),
    people: [new WebexMessages(settings.webex), ...(consoleChannel ? [consoleChannel] : [])],
    integrations: [cloudEvents, ...(consoleChannel ? [consoleChannel] : [])],
    rooms: new WebexRoomDevices({ ...settings.webex, clock }),
    languages: new CachedRecipientLanguages(watch.mailboxes, clock),
    clock,
    counters,
  };
  meetings.joinNotifications = new JoinNotificationScheduler(notifications);

  const auth = new BearerAuthenticator(
    {
      issuer: settings.apiAuth.issuer,
      audiences: apiAudiences(settings.apiAuth.audience, settings.graph.clientId),
      jwksUrl: settings.apiAuth.jwksUrl,
      adminRole: settings.apiAuth.adminRole,
    },
    clock,
  );
  return {
    settings,
    clock,
    meetings,
    keyRing,
    tenantSettings,
    tenants: tenantDocuments,
    store,
    bus,
    deadLetters: new CosmosDeadLetterRecords(store),
    deadLetterQueues,
    keyWrapper,
    calendar,
    tokens,
    watch,
    auth,
    routeAccess: { authenticator: auth, users: watch.users },
    counters,
    notifications,
    cloudEventEndpoints,
    presencePublishers: [cloudEvents, ...(consoleChannel ? [consoleChannel] : [])],
    healthProbes: [
      { name: 'store', check: () => store.checkHealth() },
      { name: 'bus', check: () => bus.checkHealth() },
      { name: 'keyWrapping', check: () => keyWrapper.checkHealth() },
      graphTokenProbe(new CosmosKnownTenants(store), tokens),
      { name: 'webex', check: () => webex.checkHealth() },
    ],
  };
}
