import type { Services } from '../shared/composition.js';
import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { retryErroredUsers } from '../shared/watch/maintenance.js';

/** Every 5 minutes: Error users whose retry time has come go back through activation. */
export const errorRetryFunction: TimerFunctionDefinition<Services> = {
  kind: 'timer',
  name: 'errorRetry',
  schedule: '0 */5 * * * *',
  async handle(services, context) {
    context.log(`retrying ${await retryErroredUsers(services.watch)} user(s)`);
  },
};
