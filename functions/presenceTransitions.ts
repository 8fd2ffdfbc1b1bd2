import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import type { PresenceContext } from '../shared/presence/presenceContext.js';
import { evaluatePresenceAt, presenceTransitionMessageSchema } from '../shared/presence/presenceTracking.js';

/** `presence-transitions`: an out-of-office window starts or ends now; publish the user's presence if it changed. */
export const presenceTransitionsFunction: QueueFunctionDefinition<PresenceContext> = {
  kind: 'queue',
  name: 'presenceTransitions',
  queueName: queueNames.presenceTransitions,
  sessions: true,
  async handle(message, presence, context) {
    const request = parseMessageBody(presenceTransitionMessageSchema, message.body);
    const evaluation = await evaluatePresenceAt(presence, request);
    context.log(
      evaluation.outcome === 'evaluated'
        ? `presence at ${request.at}: ${evaluation.published ? evaluation.published.state : 'unchanged'}`
        : `presence at ${request.at}: skipped (${evaluation.reason})`,
    );
    return complete;
  },
};
