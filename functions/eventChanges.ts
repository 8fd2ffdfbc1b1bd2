import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import type { MeetingsContext } from '../shared/meetings/meetingsContext.js';
import { processEventChange } from '../shared/meetings/processEventChange.js';
import { eventChangeMessageSchema } from '../shared/watch/messages.js';

/** `event-changes`: decorate the organiser's copy when asked, keep the sealed meeting record, trace it. */
export const eventChangesFunction: QueueFunctionDefinition<MeetingsContext> = {
  kind: 'queue',
  name: 'eventChanges',
  queueName: queueNames.eventChanges,
  sessions: true,
  async handle(message, meetings) {
    await processEventChange(meetings, parseMessageBody(eventChangeMessageSchema, message.body));
    return complete;
  },
};
