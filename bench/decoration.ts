import { startThrowawayStack } from '../dev/localStack.js';
import { percentile } from './measure.js';

/**
 * Decoration end to end in one process: 300 `@webex` events created at 20 per second across the demo
 * organisers, 100 ms simulated Graph latency. Prints the time from creation to the decorating PATCH
 * and the Graph calls the service made per decorated event (the echo of its own PATCH included).
 */
export async function benchDecoration(tlsDir: string): Promise<string[]> {
  const stack = await startThrowawayStack(tlsDir);
  try {
    const organizers = stack.graph.tenant.users.filter((user) => !user.isRoom);
    const createdAt = new Map<string, number>();
    const decoratedAt = new Map<string, number>();
    stack.graph.calendars.onChange((_mailboxId, eventId, changeType) => {
      if (changeType === 'updated' && createdAt.has(eventId) && !decoratedAt.has(eventId))
        decoratedAt.set(eventId, performance.now());
    });
    stack.graph.limiter.settings = { ...stack.graph.limiter.settings, latencyMs: 100 };
    stack.graph.limiter.reset();
    const count = 300;
    const started = performance.now();
    const creations: Array<Promise<void>> = [];
    for (let index = 0; index < count; index += 1) {
      const due = started + index * 50;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const organizer = organizers[index % organizers.length];
      const day = new Date(Date.now() + (1 + (index % 20)) * 86_400_000).toISOString().slice(0, 10);
      const body = {
        subject: `Bench ${index}`,
        location: { displayName: '@webex' },
        start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day}T09:30:00`, timeZone: 'UTC' },
      };
      // Created straight in the simulator's store, as Outlook would, so that only the service's calls are counted.
      creations.push(
        (async () => {
          const mailbox = stack.graph.calendars.mailboxes.get(organizer?.id ?? '');
          if (!mailbox) return;
          const t0 = performance.now();
          const event = stack.graph.calendars.createEvent(mailbox, body as never);
          createdAt.set(event.id, t0);
        })(),
      );
    }
    await Promise.all(creations);
    for (let round = 0; round < 10 && decoratedAt.size < count; round += 1) {
      await stack.graph.subscriptions.settle();
      await stack.bus.idle();
    }
    await stack.graph.subscriptions.settle();
    await stack.bus.idle();
    const latencies = [...decoratedAt]
      .map(([id, at]) => at - (createdAt.get(id) ?? at))
      .sort((a, b) => a - b);
    let gets = 0;
    let patches = 0;
    for (const organizer of organizers) {
      const operations = stack.graph.limiter.stats.get(organizer.id)?.byOperation ?? {};
      gets += operations['GET event'] ?? 0;
      patches += operations['PATCH event'] ?? 0;
    }
    return [
      `decoration: ${decoratedAt.size}/${count} decorated at 20 events/s, 100 ms Graph latency   created→decorated p50 ${percentile(latencies, 50).toFixed(0)} ms  p95 ${percentile(latencies, 95).toFixed(0)} ms`,
      `decoration: Graph calls per decorated event ${((gets + patches) / count).toFixed(2)} (GET ${(gets / count).toFixed(2)}, PATCH ${(patches / count).toFixed(2)}; own echo included)`,
    ];
  } finally {
    await stack.stop();
  }
}
