import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readNotificationJson, validationEcho } from '../shared/hosting/webhookResponses.js';
import { acceptLifecycleNotifications } from '../shared/watch/notificationIntake.js';

/** `POST /api/lifecycle`: Graph's lifecycle notifications, verified and queued for the lifecycle consumer. */
export const graphLifecycleNotificationsFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'graphLifecycleNotifications',
  route: 'lifecycle',
  methods: ['POST'],
  async handle(request, services, context) {
    const validationToken = request.query.get('validationToken');
    if (validationToken !== null) return validationEcho(validationToken);
    const result = await acceptLifecycleNotifications(services.watch, await readNotificationJson(request));
    if (result.dropped > 0)
      context.warn(`dropped ${result.dropped} lifecycle notification(s) that did not verify`);
    return { status: 202 };
  },
};
