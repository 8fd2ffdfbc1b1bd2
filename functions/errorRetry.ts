import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { retryErroredUsers } from '../shared/watch/maintenance.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** Every 5 minutes: Error users whose retry time has come go back through activation. */
export const errorRetryFunction: TimerFunctionDefinition<WatchContext> = {
  kind: 'timer',
  name: 'errorRetry',
  schedule: '0 */5 * * * *',
  async handle(watch, context) {
    context.log(`retrying ${await retryErroredUsers(watch)} user(s)`);
  },
};
