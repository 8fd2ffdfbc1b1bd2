import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readNotificationJson, validationEcho } from '../shared/hosting/webhookResponses.js';
import { acceptChangeNotifications } from '../shared/watch/notificationIntake.js';

/**
 * `POST /api/notifications`: Graph's change notifications. The handshake is echoed; every verified
 * notification is queued and the answer is 202, forged or not, so a sender learns nothing.
 */
export const graphNotificationsFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'graphNotifications',
  route: 'notifications',
  methods: ['POST'],
  async handle(request, services, context) {
    const validationToken = request.query.get('validationToken');
    if (validationToken !== null) return validationEcho(validationToken);
    const result = await acceptChangeNotifications(services.watch, await readNotificationJson(request));
    if (result.dropped > 0) context.warn(`dropped ${result.dropped} notification(s) that did not verify`);
    return { status: 202 };
  },
};
