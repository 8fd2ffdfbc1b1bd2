import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { activateUser, deactivateUser } from '../shared/watch/activation.js';
import { userActivationMessageSchema } from '../shared/watch/messages.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `user-activation`: subscribe and sync a user, or stop watching them. */
export const userActivationFunction: QueueFunctionDefinition<WatchContext> = {
  kind: 'queue',
  name: 'userActivation',
  queueName: queueNames.userActivation,
  async handle(message, watch, context) {
    const request = parseMessageBody(userActivationMessageSchema, message.body);
    const outcome =
      request.action === 'activate'
        ? await activateUser(watch, request)
        : await deactivateUser(watch, request);
    context.log(`${request.action} (${request.cause}): ${outcome}`);
    return complete;
  },
};
