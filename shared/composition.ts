import { randomInt } from 'node:crypto';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
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
import { CosmosPresenceStates } from './adapters/cosmos/cosmosPresenceStates.js';
import { CosmosTenantSettings } from './adapters/cosmos/cosmosTenantSettings.js';
import { CosmosWatchedUsers } from './adapters/cosmos/cosmosWatchedUsers.js';
import { apiAudiences, BearerAuthenticator } from './adapters/entra/bearerAuth.js';
import { ConsoleFiles } from './adapters/files/consoleFiles.js';
import type { CalendarGateway } from './adapters/graph/calendarGateway.js';
import { CachedClientAssertions, ManagedIdentityAssertions } from './adapters/graph/clientAssertion.js';
import { GraphCalendar } from './adapters/graph/graphCalendar.js';
import { GraphCalendarGateway } from './adapters/graph/graphCalendarGateway.js';
import { graphNotificationReader } from './adapters/graph/graphChangeNotifications.js';
import { GraphMailboxWatch } from './adapters/graph/graphMailboxWatch.js';
import { GraphPresenceSource } from './adapters/graph/graphPresenceSource.js';
import { GraphTenantDirectory } from './adapters/graph/graphTenantDirectory.js';
import { GraphUserNames } from './adapters/graph/graphUserNames.js';
import { MsalAdminSignIn } from './adapters/graph/msalAdminSignIn.js';
import type { MsalClientCredential } from './adapters/graph/msalClients.js';
import { MsalTokenProvider } from './adapters/graph/msalTokenProvider.js';
import { KeyVaultKeyWrapper } from './adapters/keyVault/keyVaultKeyWrapper.js';
import { type RunningTelemetry, startTelemetry } from './adapters/openTelemetry/telemetrySetup.js';
import { ServiceBusDeadLetterQueues } from './adapters/serviceBus/serviceBusDeadLetterQueues.js';
import { ServiceBusMessageBus } from './adapters/serviceBus/serviceBusMessageBus.js';
import { WebexJoinDetails } from './adapters/webex/webexJoinDetails.js';
import { WebexMessages } from './adapters/webex/webexMessages.js';
import { WebexRoomDevices } from './adapters/webex/webexRoomDevices.js';
import type { ApiAuthenticator } from './auth/apiAuthenticator.js';
import type { RouteAccessContext } from './auth/routeAccess.js';
import { SignedSingleUseStates, singleUseStates } from './auth/singleUseStates.js';
import type { DeadLetterRecords } from './bus/deadLetterRecords.js';
import type { DeadLetterQueues } from './bus/deadLetterRedrive.js';
import type { MessageBus } from './bus/messageBus.js';
import type { DelegatedTokenProvider, GraphTokenProvider } from './calendar/tokenProvider.js';
import type { Settings } from './config/settings.js';
import type { ConnectContext } from './connect/connectCalendar.js';
import { DelegatedMailboxTokens } from './connect/delegatedMailboxTokens.js';
import { reconnectLinks } from './connect/reconnectLinks.js';
import { SealedTokenCaches, tokenCaches } from './connect/sealedTokenCaches.js';
import type { UserDataContext } from './connect/userDataRights.js';
import { type ConsoleContext, consoleConfiguration } from './console/consoleShell.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from './crypto/envelopeEncryption.js';
import type { UserNames } from './directory/userNames.js';
import { AppError } from './errors.js';
import type { HealthProbe } from './health/checkHealth.js';
import { graphTokenProbe } from './health/dependencyProbes.js';
import type { KeyWrapper } from './keys/keyWrapping.js';
import { eventTraces } from './meetings/eventTrace.js';
import { JoinServiceRecovery } from './meetings/joinServiceRecovery.js';
import { meetingRecords } from './meetings/meetingRecord.js';
import type { MeetingsContext } from './meetings/meetingsContext.js';
import { RecordedEventIds } from './meetings/recordedEventIds.js';
import { type TenantDocument, TenantSettingsCache, tenants } from './meetings/tenantSettings.js';
import { CachedRecipientLanguages } from './notifications/cachedRecipientLanguages.js';
import { CloudEventEndpoints, cloudEventEndpointDocuments } from './notifications/cloudEventEndpoints.js';
import type { JoinNotificationsContext } from './notifications/joinNotificationsContext.js';
import { JoinNotificationScheduler } from './notifications/joinScheduler.js';
import { CachedTenantMailDomains } from './notifications/tenantMailDomains.js';
import { Counters } from './observability/counters.js';
import type { OffboardingContext } from './onboarding/offboarding.js';
import { enablementJobs, onboardedTenants } from './onboarding/onboardingRecords.js';
import { OnboardingSessionSigner } from './onboarding/onboardingSessions.js';
import type { OnboardingContext } from './onboarding/tenantOnboarding.js';
import type { PresenceContext } from './presence/presenceContext.js';
import { PresenceFanOut } from './presence/presenceFanOut.js';
import type { PresencePublisher } from './presence/presencePublisher.js';
import { presenceDocuments } from './presence/presenceState.js';
import { seededJitter } from './random/seededRandom.js';
import type { DocumentCollection, DocumentStore } from './store/documentStore.js';
import { type Clock, systemClock } from './time/clock.js';
import { ClientStateSigner } from './watch/clientState.js';
import { DroppedNotificationSummary } from './watch/droppedNotifications.js';
import type { ReconnectUrlOf } from './watch/enablement.js';
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
  /** Out-of-office presence: polling automatic replies, exact-time transitions, publishing. */
  presence: PresenceContext;
  /** Display names and mail from the directory, read when an administrator views users. */
  userNames: UserNames;
  /** The admin console: its sign-in configuration and its built files. */
  console: ConsoleContext;
  /** Tenant onboarding: admin sign-in and consent, test mailbox, enablement jobs. */
  onboarding: OnboardingContext;
  /** Tenant offboarding: everything of a tenant deleted, its data keys last. */
  offboarding: OffboardingContext;
  /** "Connect your calendar": sign-in, sealed token caches, delegated tokens. */
  connect: ConnectContext;
  /** A user's data rights: export and purge. */
  userData: UserDataContext;
  /** The reconnect link the admin API shows for a connected user in Error. */
  reconnectUrlOf: ReconnectUrlOf;
  /** Join notifications: scheduling (hooked into the meetings records) and the channels. */
  notifications: JoinNotificationsContext;
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
  /** Local runs: a presence channel besides CloudEvents (the stack's log, printed on the console). */
  presencePublisher?: PresencePublisher;
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
  const graphCredential = settings.graph.credential;
  // In Azure no secret exists: the managed identity's token is the client assertion.
  const graphClientCredential: MsalClientCredential =
    graphCredential.kind === 'client-secret'
      ? { clientSecret: graphCredential.secret }
      : {
          clientAssertions: new CachedClientAssertions(
            new ManagedIdentityAssertions(
              new ManagedIdentityCredential({ clientId: graphCredential.managedIdentityClientId }),
            ),
            clock,
          ),
        };
  const tokens = new MsalTokenProvider({
    clientId: settings.graph.clientId,
    ...graphClientCredential,
    authorityHost: settings.graph.authorityHost,
    clock,
  });
  const counters = new Counters();
  const keyRing = new DataKeyRing({ wrapper: keyWrapper, keys: store.collection(dataKeys), clock });
  const cipher = new EnvelopeCipher(keyRing);
  const users = new CosmosWatchedUsers(store.collection(watchedUsers), clock);
  // "Connect your calendar": connected users' token caches, sealed; their mailboxes use their tokens.
  const tokenCacheStore = new SealedTokenCaches({ documents: store.collection(tokenCaches), cipher, clock });
  const delegation = new DelegatedMailboxTokens({
    caches: tokenCacheStore,
    tokens,
    users,
    clock,
    counters,
  });
  const calendar = new GraphCalendarGateway({
    graphBaseUrl: settings.graph.baseUrl,
    tokens,
    delegation,
    clock,
    // Each instance draws its jitter from its own seed, so instances do not retry in step.
    jitter: seededJitter(randomInt(0, 2 ** 32)),
  });

  const webex = new WebexJoinDetails(settings.webex);
  const records = new CosmosMeetingRecords(store);
  const watch: WatchContext = {
    users,
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
  const localEndpoints = local.cloudEventsEndpoint
    ? [{ ...local.cloudEventsEndpoint, operatorConfigured: true }]
    : [];
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
    counters,
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
    tenantDomains: new CachedTenantMailDomains((tenantId) => calendar.listDomains(tenantId), clock),
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
  const presence: PresenceContext = {
    users: watch.users,
    source: new GraphPresenceSource(calendar),
    states: new CosmosPresenceStates(store),
    bus,
    // CloudEvents to each endpoint the tenant configured; locally also the stack's presence log.
    publisher: new PresenceFanOut([
      cloudEvents,
      ...(local.presencePublisher ? [local.presencePublisher] : []),
    ]),
    clock,
    counters,
    pollPeriodMs: settings.presence.pollPeriodMs,
  };
  const directory = new GraphTenantDirectory(calendar, clock);
  // One signed single-use `state` for every sign-in flow; each flow issues and consumes its own purpose.
  const signInStates = new SignedSingleUseStates({
    secret: settings.clientStateSecret,
    states: store.collection(singleUseStates),
    clock,
  });
  const onboarding: OnboardingContext = {
    clock,
    states: signInStates,
    sessions: new OnboardingSessionSigner(settings.clientStateSecret),
    tenants: store.collection(onboardedTenants),
    signIn: new MsalAdminSignIn({
      clientId: settings.graph.clientId,
      credential: graphClientCredential,
      authorityHost: settings.graph.authorityHost,
      graphBaseUrl: settings.graph.baseUrl,
    }),
    directory,
    enablement: { jobs: store.collection(enablementJobs), bus, directory, watch, clock },
    callbackUrl: `${settings.publicBaseUrl}/api/onboarding/tenant/callback`,
  };
  const offboarding: OffboardingContext = {
    store,
    subscriptions: {
      list: async (tenantId) => (await calendar.listSubscriptions(tenantId)).map((s) => s.id),
      delete: (tenantId, subscriptionId) =>
        calendar.deleteSubscription(tenantId, subscriptionId).catch((error: unknown) => {
          if (!(error instanceof AppError && error.code === 'not-found')) throw error;
        }),
    },
    forgetCached: (tenantId, userIds) => {
      tenantSettings.forget(tenantId);
      for (const userId of userIds) keyRing.forgetUser(userId);
    },
  };
  const connect: ConnectContext = {
    tokens,
    states: signInStates,
    caches: tokenCacheStore,
    delegation,
    watch,
    counters,
    publicBaseUrl: settings.publicBaseUrl,
  };
  const userData: UserDataContext = {
    meetings,
    watch,
    caches: tokenCacheStore,
    delegation,
    collections: {
      meetingRecords: store.collection(meetingRecords),
      traces: store.collection(eventTraces),
      users: store.collection(watchedUsers),
      dataKeys: store.collection(dataKeys),
      presence: store.collection(presenceDocuments),
    },
  };
  return {
    onboarding,
    offboarding,
    settings,
    clock,
    presence,
    connect,
    userData,
    reconnectUrlOf: reconnectLinks(tokenCacheStore, settings.publicBaseUrl),
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
    healthProbes: [
      { name: 'store', check: () => store.checkHealth() },
      { name: 'bus', check: () => bus.checkHealth() },
      { name: 'keyWrapping', check: () => keyWrapper.checkHealth() },
      graphTokenProbe(new CosmosKnownTenants(store), tokens),
      { name: 'webex', check: () => webex.checkHealth() },
    ],
    userNames: new GraphUserNames(calendar),
    console: {
      configuration: consoleConfiguration(settings),
      assets: new ConsoleFiles(new URL('../console/', import.meta.url)),
    },
  };
}

/**
 * Starts traces and metrics before the services are composed: Azure Monitor signed in with the
 * managed identity, or the local export. Azure's entry point and the local stack both call it.
 */
export function startServiceTelemetry(settings: Settings): Promise<RunningTelemetry> {
  return startTelemetry(settings.telemetry, () =>
    settings.managedIdentityClientId
      ? new ManagedIdentityCredential({ clientId: settings.managedIdentityClientId })
      : new DefaultAzureCredential(),
  );
}
