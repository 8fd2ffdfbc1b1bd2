import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { requestDueReconciliations } from '../shared/watch/reconciliation.js';
import type { WatchContext } from '../shared/watch/watchContext.js';

/**
 * Every 5 minutes: the users whose slot in the 6-hour reconciliation period fell in the last 5
 * minutes are sent to `user-activation` to have their window reconciled.
 */
export const reconciliationFunction: TimerFunctionDefinition<WatchContext> = {
  kind: 'timer',
  name: 'reconciliation',
  schedule: '0 */5 * * * *',
  async handle(watch, context) {
    const requested = await requestDueReconciliations(watch);
    context.log(`reconciliation requested for ${requested} users`);
  },
};
