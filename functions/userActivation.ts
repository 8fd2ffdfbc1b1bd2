import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { Services } from '../shared/composition.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { activateUser, deactivateUser } from '../shared/watch/activation.js';
import { userActivationMessageSchema } from '../shared/watch/messages.js';

/** `user-activation`: subscribe and sync a user, or stop watching them. */
export const userActivationFunction: QueueFunctionDefinition<Services> = {
  kind: 'queue',
  name: 'userActivation',
  queueName: queueNames.userActivation,
  async handle(message, services, context) {
    const request = parseMessageBody(userActivationMessageSchema, message.body);
    const outcome =
      request.action === 'activate'
        ? await activateUser(services.watch, request)
        : await deactivateUser(services.watch, request);
    context.log(`${request.action} (${request.cause}): ${outcome}`);
    return complete;
  },
};
