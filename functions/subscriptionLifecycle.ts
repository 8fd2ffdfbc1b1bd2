import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { processLifecycle } from '../shared/watch/lifecycle.js';
import { lifecycleMessageSchema } from '../shared/watch/messages.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `subscription-lifecycle`: reauthorize, recreate or resync as the lifecycle event asks. */
export const subscriptionLifecycleFunction: QueueFunctionDefinition<WatchContext> = {
  kind: 'queue',
  name: 'subscriptionLifecycle',
  queueName: queueNames.subscriptionLifecycle,
  sessions: true,
  async handle(message, watch, context) {
    const lifecycle = parseMessageBody(lifecycleMessageSchema, message.body);
    context.log(`${lifecycle.lifecycleEvent}: ${await processLifecycle(watch, lifecycle)}`);
    return complete;
  },
};
