import type { Services } from '../shared/composition.js';
import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { renewExpiringSubscriptions } from '../shared/watch/maintenance.js';

/** Every 30 minutes: renew subscriptions that expire within a day, in `$batch` requests. */
export const subscriptionRenewalFunction: TimerFunctionDefinition<Services> = {
  kind: 'timer',
  name: 'subscriptionRenewal',
  schedule: '0 */30 * * * *',
  async handle(services, context) {
    const summary = await renewExpiringSubscriptions(services.watch);
    context.log(
      `due ${summary.due}, renewed ${summary.renewed}, recreating ${summary.recreating}, failed ${summary.failed}`,
    );
  },
};
