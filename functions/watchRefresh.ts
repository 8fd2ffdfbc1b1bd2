import type { Services } from '../shared/composition.js';
import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { refreshWatches } from '../shared/watch/maintenance.js';

/** Daily at 03:15 UTC: find missing subscriptions and mailboxes that left Exchange Online. */
export const watchRefreshFunction: TimerFunctionDefinition<Services> = {
  kind: 'timer',
  name: 'watchRefresh',
  schedule: '0 15 3 * * *',
  async handle(services, context) {
    const summary = await refreshWatches(services.watch);
    context.log(
      `checked ${summary.checked}, subscription missing ${summary.subscriptionMissing}, mailbox gone ${summary.mailboxGone}`,
    );
  },
};
