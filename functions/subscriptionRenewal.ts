import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { renewExpiringSubscriptions } from '../shared/watch/maintenance.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** Every 30 minutes: renew subscriptions that expire within a day, in `$batch` requests. */
export const subscriptionRenewalFunction: TimerFunctionDefinition<WatchContext> = {
  kind: 'timer',
  name: 'subscriptionRenewal',
  schedule: '0 */30 * * * *',
  async handle(watch, context) {
    const summary = await renewExpiringSubscriptions(watch);
    context.log(
      `due ${summary.due}, renewed ${summary.renewed}, recreating ${summary.recreating}, failed ${summary.failed}`,
    );
  },
};
