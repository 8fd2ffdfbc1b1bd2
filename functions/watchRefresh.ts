import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { refreshWatches } from '../shared/watch/maintenance.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/** Daily at 03:15 UTC: find missing subscriptions and mailboxes that left Exchange Online. */
export const watchRefreshFunction: TimerFunctionDefinition<WatchContext> = {
  kind: 'timer',
  name: 'watchRefresh',
  schedule: '0 15 3 * * *',
  async handle(watch, context) {
    const summary = await refreshWatches(watch);
    context.log(
      `checked ${summary.checked}, subscription missing ${summary.subscriptionMissing}, mailbox gone ${summary.mailboxGone}`,
    );
  },
};
