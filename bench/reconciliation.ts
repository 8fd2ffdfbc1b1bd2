import { startThrowawayStack } from '../dev/localStack.js';
import { reconciliationPeriodMs, requestReconciliation } from '../shared/watch/reconciliation.js';

const projectedUsers = 100_000;
const eventsInWindow = 60;
/** Graph's limits (reference/graph-limits.md): per app and mailbox per 10 minutes, per app per 10 s. */
const perMailboxPer10Min = 10_000;
const perAppPer10s = 130_000;

/**
 * What one reconciliation round costs against the Graph simulator, for a calendar of 60 events in
 * the window that are all already handled (the usual case): Graph requests, bus messages and the
 * projected load at 100,000 users reconciled once per period.
 */
export async function benchReconciliation(tlsDir: string): Promise<string[]> {
  const stack = await startThrowawayStack(tlsDir);
  try {
    const user = stack.graph.tenant.users[0];
    if (!user) throw new Error('the simulator has no users');
    const mailbox = { tenantId: stack.graph.tenant.tenantId, userId: user.id };
    for (let index = 0; index < eventsInWindow; index += 1) {
      const day = new Date(stack.clock.now().getTime() + ((index % 36) - 5) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const hour = String(8 + (index % 9)).padStart(2, '0');
      await stack.services.calendar.createEvent(mailbox, {
        subject: `Meeting ${index}`,
        location: { displayName: index % 4 === 0 ? '@webex' : `Room ${index}` },
        attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
        start: { dateTime: `${day}T${hour}:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day}T${hour}:30:00`, timeZone: 'UTC' },
      });
    }
    for (let round = 0; round < 5; round += 1) {
      await stack.graph.subscriptions.settle();
      await stack.bus.idle();
    }
    stack.graph.requestCounts.clear();
    const sentBefore = stack.bus.diagnostics('event-changes').sent;
    const started = performance.now();
    await requestReconciliation(stack.services.watch, mailbox, 'scheduled', 'bench');
    await stack.bus.idle();
    const ms = performance.now() - started;
    const requests = [...stack.graph.requestCounts.values()].reduce((sum, count) => sum + count, 0);
    const messages = stack.bus.diagnostics('event-changes').sent - sentBefore;

    const periodSeconds = reconciliationPeriodMs / 1000;
    const perSecond = (requests * projectedUsers) / periodSeconds;
    const messagesPerSecond = (messages * projectedUsers) / periodSeconds;
    return [
      `reconciliation: ${eventsInWindow} events in the window, ${requests} Graph requests per user per ${periodSeconds / 3600} h period (${JSON.stringify(Object.fromEntries(stack.graph.requestCounts))}), ${messages} event-changes messages, ${ms.toFixed(0)} ms`,
      `reconciliation at ${projectedUsers.toLocaleString('en')} users: ${perSecond.toFixed(1)} Graph requests/s (${(((perSecond * 10) / perAppPer10s) * 100).toFixed(3)} % of ${perAppPer10s.toLocaleString('en')} per 10 s per app), ${requests} per mailbox per 10 min (${((requests / perMailboxPer10Min) * 100).toFixed(2)} % of ${perMailboxPer10Min.toLocaleString('en')}), ${messagesPerSecond.toFixed(0)} event-changes messages/s and as many trace reads/s`,
    ];
  } finally {
    await stack.stop();
  }
}
