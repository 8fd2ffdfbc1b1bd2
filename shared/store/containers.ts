import type { ContainerLayout } from './documentStore.js';

/**
 * The Cosmos DB containers of the service. Bicep creates the same ones in Azure (`bicep/app/cosmos.bicep`;
 * a test keeps the two in step); the local stack creates them at start-up.
 */
export const containerLayouts = {
  /** Watched users: state, subscription, delta link. One partition per tenant. */
  users: { containerId: 'users', partitionKeyPath: '/tenantId' },
  /** Consented tenants and their settings. */
  tenants: { containerId: 'tenants', partitionKeyPath: '/id' },
  /** Envelope-encrypted meeting records; each carries its own `ttl` (end of meeting + 7 days). */
  meetings: { containerId: 'meetings', partitionKeyPath: '/userId', defaultTtlSeconds: -1 },
  /** Wrapped data keys, one per user and key generation. */
  dataKeys: { containerId: 'dataKeys', partitionKeyPath: '/userId' },
  /** Decision traces per event, without personal data in clear; expire with the meetings. */
  traces: { containerId: 'traces', partitionKeyPath: '/userId', defaultTtlSeconds: -1 },
  /** Why messages were dead-lettered (the SDK binding cannot say it to Service Bus); gone after 14 days. */
  deadLetters: { containerId: 'deadLetters', partitionKeyPath: '/queue', defaultTtlSeconds: 1_209_600 },
  /** Each user's presence (in or out of office), the last reading it came from, its scheduled messages. */
  presence: { containerId: 'presence', partitionKeyPath: '/tenantId' },
  /** Onboarded tenants: when and by whom consented, their domains. */
  onboardedTenants: { containerId: 'onboardedTenants', partitionKeyPath: '/id' },
  /** Enablement jobs (by UPN, group or all mailboxes) and their progress; each expires a week after it ends. */
  enablementJobs: { containerId: 'enablementJobs', partitionKeyPath: '/tenantId', defaultTtlSeconds: -1 },
  /** Signed single-use OAuth `state` of the sign-in flows (connect, onboarding): consumed once, each expiring with its own `ttl`. */
  singleUseStates: { containerId: 'singleUseStates', partitionKeyPath: '/id', defaultTtlSeconds: -1 },
  /** Connected users' MSAL token caches, sealed with the user's data key. */
  tokenCaches: { containerId: 'tokenCaches', partitionKeyPath: '/userId' },
  /** Join notifications sent, one marker per meeting occurrence, recipient and channel; each expires with its meeting. */
  joinDeliveries: { containerId: 'joinDeliveries', partitionKeyPath: '/tenantId', defaultTtlSeconds: -1 },
  /** Each tenant's CloudEvents endpoints, their signing secrets sealed. One document per tenant. */
  cloudEventEndpoints: { containerId: 'cloudEventEndpoints', partitionKeyPath: '/id' },
} as const satisfies Record<string, ContainerLayout>;

export const allContainerLayouts: readonly ContainerLayout[] = Object.values(containerLayouts);
