import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import { deliverJoinNotification } from '../shared/notifications/deliverJoinNotification.js';
import { joinNotificationsMessageSchema } from '../shared/notifications/joinMessages.js';
import type { JoinNotificationsContext } from '../shared/notifications/joinNotificationsContext.js';
import { rebuildRoomBookings } from '../shared/notifications/rebuildRoomBookings.js';

/** `join-notifications`: a Join notification that is due, or a room's booking list to push again. */
export const joinNotificationsFunction: QueueFunctionDefinition<JoinNotificationsContext> = {
  kind: 'queue',
  name: 'joinNotifications',
  queueName: queueNames.joinNotifications,
  async handle(message, notifications) {
    const body = parseMessageBody(joinNotificationsMessageSchema, message.body);
    if (body.kind === 'join-due') await deliverJoinNotification(notifications, body);
    else await rebuildRoomBookings(notifications, body);
    return complete;
  },
};
