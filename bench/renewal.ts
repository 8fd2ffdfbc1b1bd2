import { startThrowawayStack } from '../dev/localStack.js';
import { enableUsers } from '../shared/watch/enablement.js';
import { renewExpiringSubscriptions } from '../shared/watch/maintenance.js';

/** Graph requests the renewal timer needs for 1,000 subscriptions (target: at most 60). */
export async function benchRenewal(tlsDir: string): Promise<string[]> {
  const stack = await startThrowawayStack(tlsDir);
  try {
    const added = stack.graph.addUsers(1_000 - stack.graph.tenant.users.length, 'renewal');
    await enableUsers(
      stack.services.watch,
      stack.graph.tenant.tenantId,
      added.map((user) => user.id),
    );
    await stack.bus.idle();
    const subscriptions = stack.graph.subscriptions.subscriptions.size;
    stack.clock.advanceBy(6.5 * 86_400_000);
    await stack.services.calendar.listSubscriptions(stack.graph.tenant.tenantId); // refreshes the token the jump outdated
    stack.graph.requestCounts.clear();
    const started = performance.now();
    const summary = await renewExpiringSubscriptions(stack.services.watch);
    const ms = performance.now() - started;
    const requests = [...stack.graph.requestCounts.values()].reduce((sum, count) => sum + count, 0);
    return [
      `renewal: ${subscriptions} subscriptions, ${summary.renewed} renewed, ${summary.failed} failed, ${requests} Graph requests (${JSON.stringify(Object.fromEntries(stack.graph.requestCounts))}), ${ms.toFixed(0)} ms`,
    ];
  } finally {
    await stack.stop();
  }
}
