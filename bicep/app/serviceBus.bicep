// Service Bus namespace and the service's queues (shared/bus/queues.ts). Standard tier, because
// duplicate detection needs it. Local (SAS) auth is off: senders and triggers use the identity.
param name string
param location string
param tags object

// Every queue of queueNames in shared/bus/queues.ts; a test keeps the two in step.
var queueNames = [
  'event-changes'
  'user-activation'
  'subscription-lifecycle'
  'presence-transitions'
  'tenant-enablement'
]

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: namespace
    name: queueName
    properties: {
      // Same as maxDeliveryCount in shared/bus/queues.ts: then the message is dead-lettered.
      maxDeliveryCount: 10
      // The host renews the lock while a function runs (up to functionTimeout in host.json).
      lockDuration: 'PT1M'
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT10M'
      deadLetteringOnMessageExpiration: true
      // Every queue's consumer calls Graph for one mailbox (sessionQueueNames in shared/bus/queues.ts):
      // a session per mailbox keeps each mailbox on one instance at a time, so the per-mailbox cap
      // of 4 Graph requests holds across scaled-out instances.
      requiresSession: true
    }
  }
]

// join-notifications (queueNames.joinNotifications): not session-enabled, since its consumer calls
// no Graph mailbox and each message stands alone; delivery markers in Cosmos give at-most-once.
resource joinNotificationsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'join-notifications'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    deadLetteringOnMessageExpiration: true
  }
}

output name string = namespace.name
// serviceBusEndpoint is https://{namespace}.servicebus.windows.net:443/; the host name is what the SDK wants.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
