import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readNotificationJson, validationEcho } from '../shared/hosting/webhookResponses.js';
import { acceptLifecycleNotifications, type IntakeContext } from '../shared/watch/notificationIntake.js';

/** `POST /api/lifecycle`: Graph's lifecycle notifications, verified and queued for the lifecycle consumer. */
export const graphLifecycleNotificationsFunction: HttpFunctionDefinition<IntakeContext> = {
  kind: 'http',
  name: 'graphLifecycleNotifications',
  route: 'lifecycle',
  methods: ['POST'],
  access: { kind: 'graph-webhook' },
  describe: {
    post: {
      summary: 'Graph lifecycle notifications (and the validation handshake)',
      query: { validationToken: 'Graph’s handshake token' },
      responses: {
        '200': 'Handshake',
        '202': 'Accepted (whether or not every notification verified)',
        '400': 'Not JSON',
        '413': 'Body over 2 MiB',
        '503': 'Could not queue',
      },
    },
  },
  async handle(request, intake, context) {
    const validationToken = request.query.get('validationToken');
    if (validationToken !== null) return validationEcho(validationToken);
    const result = await acceptLifecycleNotifications(intake, await readNotificationJson(request));
    // Drops are counted per tenant and summed up once a minute, not logged per request.
    if (result.dropSummary) context.warn(result.dropSummary);
    return { status: 202 };
  },
};
