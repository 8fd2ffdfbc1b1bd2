import { startThrowawayStack } from '../dev/localStack.js';
import { GraphPresenceSource } from '../shared/adapters/graph/graphPresenceSource.js';
import { pollDuePresence, presencePollTickMs } from '../shared/presence/presenceTracking.js';
import { enableUsers } from '../shared/watch/enablement.js';

const users = 1_000;
/** Users with a scheduled automatic reply that starts and ends within the simulated hour. */
const withScheduledReply = 100;
const projectedUsers = 100_000;
/** Graph's limits (reference/graph-limits.md): per app and mailbox per 10 minutes, per app per 10 s. */
const perMailboxPer10Min = 10_000;
const perAppPer10s = 130_000;
const hourMs = 3_600_000;

/**
 * Out-of-office polling for 1,000 activated users over one simulated hour, through the local stack
 * (Graph simulator, embedded Cosmos DB, in-process bus): the poll timer run every minute on the
 * stack's clock, with the default period of 15 minutes. Graph requests per user per hour, counted as
 * `$batch` HTTP requests and as the steps inside them (Graph throttles by the steps).
 */
export async function benchPresencePolling(tlsDir: string): Promise<string[]> {
  const stack = await startThrowawayStack(tlsDir);
  try {
    const tenantId = stack.graph.tenant.tenantId;
    const added = stack.graph.addUsers(users - stack.graph.tenant.users.length, 'presence');
    await enableUsers(
      stack.services.watch,
      tenantId,
      added.map((user) => user.id),
    );
    await stack.bus.idle();
    const presence = stack.services.presence;
    const startMs = stack.clock.now().getTime();
    // Some users are away for 20 minutes somewhere in the hour, set as a person would, inside $batch.
    const utc = (ms: number) => ({ dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' });
    await stack.services.calendar.batch(
      tenantId,
      added.slice(0, withScheduledReply).map((user, index) => {
        const from = startMs + 5 * 60_000 + ((index * 31_000) % (30 * 60_000));
        return {
          id: user.id,
          method: 'PATCH' as const,
          url: `/users/${user.id}/mailboxSettings`,
          body: {
            automaticRepliesSetting: {
              status: 'scheduled',
              scheduledStartDateTime: utc(from),
              scheduledEndDateTime: utc(from + 20 * 60_000),
            },
          },
        };
      }),
    );
    stack.graph.requestCounts.clear();
    let steps = 0;
    const batch = stack.services.calendar.batch.bind(stack.services.calendar);
    // Counts the steps the presence source hands the gateway (the gateway sends them 20 a request).
    presence.source = new GraphPresenceSource({
      batch: (tenant, batchSteps) => {
        steps += batchSteps.length;
        return batch(tenant, batchSteps);
      },
    });
    const started = performance.now();
    let polled = 0;
    for (let elapsed = 0; elapsed < hourMs; elapsed += presencePollTickMs) {
      stack.clock.advanceBy(presencePollTickMs);
      polled += (await pollDuePresence(presence)).polled;
      stack.bus.releaseDueMessages();
      await stack.bus.idle();
    }
    const ms = performance.now() - started;
    const batches = stack.graph.requestCounts.get('POST $batch') ?? 0;
    const otherRequests =
      [...stack.graph.requestCounts.values()].reduce((sum, count) => sum + count, 0) - batches;
    const stepsPerUserHour = steps / users;
    const projectedPerSecond = (stepsPerUserHour * projectedUsers) / 3_600;
    const published = [
      presence.counters.get('presence.published.out-of-office'),
      presence.counters.get('presence.published.in-office'),
    ];
    return [
      `presence polling: ${users.toLocaleString('en')} users, 1 simulated hour, period ${presence.pollPeriodMs / 60_000} min: ${polled} user reads, ${batches} $batch requests (${(batches / users).toFixed(2)} per user per hour), ${steps} Graph requests inside them (${stepsPerUserHour.toFixed(1)} per user per hour: automatic replies + calendar view, ${(stepsPerUserHour / 2).toFixed(0)} polls), ${otherRequests} other Graph requests, ${ms.toFixed(0)} ms`,
      `presence transitions: ${withScheduledReply} scheduled replies within the hour → ${published[0]} out-of-office and ${published[1]} in-office changes published, by scheduled messages at their exact times`,
      `presence polling at ${projectedUsers.toLocaleString('en')} users: ${projectedPerSecond.toFixed(1)} Graph requests/s (${(((projectedPerSecond * 10) / perAppPer10s) * 100).toFixed(2)} % of ${perAppPer10s.toLocaleString('en')} per 10 s per app), ${(stepsPerUserHour / 6).toFixed(2)} per mailbox per 10 min (${((stepsPerUserHour / 6 / perMailboxPer10Min) * 100).toFixed(3)} % of ${perMailboxPer10Min.toLocaleString('en')})`,
    ];
  } finally {
    await stack.stop();
  }
}
