import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readNotificationJson, validationEcho } from '../shared/hosting/webhookResponses.js';
import { acceptChangeNotifications, type IntakeContext } from '../shared/watch/notificationIntake.js';

/**
 * `POST /api/notifications`: Graph's change notifications. The handshake is echoed; every verified
 * notification is queued and the answer is 202, forged or not, so a sender learns nothing.
 */
export const graphNotificationsFunction: HttpFunctionDefinition<IntakeContext> = {
  kind: 'http',
  name: 'graphNotifications',
  route: 'notifications',
  methods: ['POST'],
  access: { kind: 'graph-webhook' },
  describe: {
    post: {
      summary: 'Graph change notifications (and the validation handshake)',
      query: { validationToken: 'Graph’s handshake token, echoed as text/plain' },
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
    const result = await acceptChangeNotifications(intake, await readNotificationJson(request));
    // Drops are counted per tenant and summed up once a minute, not logged per request.
    if (result.dropSummary) context.warn(result.dropSummary);
    return { status: 202 };
  },
};
