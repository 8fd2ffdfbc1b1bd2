import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { activateUser, deactivateUser } from '../shared/watch/activation.js';
import { userActivationMessageSchema } from '../shared/watch/messages.js';
import { reconcileUser } from '../shared/watch/reconciliation.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** `user-activation`: subscribe and sync a user, stop watching them, or reconcile their window. */
export const userActivationFunction: QueueFunctionDefinition<WatchContext> = {
  kind: 'queue',
  name: 'userActivation',
  queueName: queueNames.userActivation,
  sessions: true,
  async handle(message, watch, context) {
    const request = parseMessageBody(userActivationMessageSchema, message.body);
    let outcome: string;
    if (request.action === 'activate') outcome = await activateUser(watch, request);
    else if (request.action === 'deactivate') outcome = await deactivateUser(watch, request);
    else
      outcome = (await reconcileUser(watch, request, request.round ?? message.messageId ?? 'unnamed'))
        .outcome;
    context.log(`${request.action} (${request.cause}): ${outcome}`);
    return complete;
  },
};
