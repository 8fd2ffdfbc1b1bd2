import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { Services } from '../shared/composition.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { processLifecycle } from '../shared/watch/lifecycle.js';
import { lifecycleMessageSchema } from '../shared/watch/messages.js';

/** `subscription-lifecycle`: reauthorize, recreate or resync as the lifecycle event asks. */
export const subscriptionLifecycleFunction: QueueFunctionDefinition<Services> = {
  kind: 'queue',
  name: 'subscriptionLifecycle',
  queueName: queueNames.subscriptionLifecycle,
  async handle(message, services, context) {
    const lifecycle = parseMessageBody(lifecycleMessageSchema, message.body);
    context.log(`${lifecycle.lifecycleEvent}: ${await processLifecycle(services.watch, lifecycle)}`);
    return complete;
  },
};
