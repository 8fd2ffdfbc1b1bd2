import { GraphSimulator } from '../dev/graphSimulator/server.js';
import type { LocalTls } from '../dev/localTls.js';
import { GraphCalendarGateway } from '../shared/adapters/graph/graphCalendarGateway.js';
import { MsalTokenProvider } from '../shared/adapters/graph/msalTokenProvider.js';
import type { MailboxRef } from '../shared/calendar/mailbox.js';
import { seededJitter } from '../shared/random/seededRandom.js';
import { percentile } from './measure.js';

/**
 * The Graph adapter against the simulator: 2,000 reads across 50 mailboxes, all issued at once, with
 * 50 ms simulated latency. The adapter must keep every mailbox at 4 requests in flight or fewer.
 */
export async function benchGraphAdapter(
  tls: LocalTls,
  options: { throttleRate?: number } = {},
): Promise<string[]> {
  const simulator = new GraphSimulator({ tls, port: 0 });
  await simulator.start();
  try {
    simulator.addUsers(50 - simulator.tenant.users.length, 'bench');
    simulator.limiter.settings = {
      ...simulator.limiter.settings,
      latencyMs: 50,
      throttleRate: options.throttleRate ?? 0,
      retryAfterSeconds: 0.05,
    };
    const gateway = new GraphCalendarGateway({
      graphBaseUrl: simulator.graphUrl,
      clock: simulator.clock,
      jitter: seededJitter(simulator.faultSeed),
      tokens: new MsalTokenProvider({
        clientId: simulator.tenant.app.clientId,
        clientSecret: simulator.tenant.app.clientSecret,
        authorityHost: simulator.baseUrl,
        clock: simulator.clock,
      }),
    });
    const mailboxes = simulator.tenant.users.map(
      (user): MailboxRef => ({ tenantId: simulator.tenant.tenantId, userId: user.id }),
    );
    await gateway.getMailboxSettings(mailboxes[0] as MailboxRef); // token and connection warm-up
    simulator.limiter.reset();
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 2_000 }, async (_, index) => {
        const t0 = performance.now();
        await gateway.getMailboxSettings(mailboxes[index % mailboxes.length] as MailboxRef);
        latencies.push(performance.now() - t0);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const stats = [...simulator.limiter.stats.values()];
    const peak = Math.max(...stats.map((mailbox) => mailbox.peakInFlight));
    const throttled = stats.reduce((sum, mailbox) => sum + mailbox.throttled, 0);
    const label = options.throttleRate
      ? `graph adapter: 2,000 reads, 50 mailboxes, 50 ms, ${options.throttleRate * 100}% 429s`
      : 'graph adapter: 2,000 reads, 50 mailboxes, 50 ms';
    return [
      `${label.padEnd(60)} ${(2_000 / seconds).toFixed(0)} reads/s  p50 ${percentile(latencies, 50).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms  peak in flight per mailbox ${peak}  429s ${throttled}  requests ${stats.reduce((sum, mailbox) => sum + mailbox.requests, 0)}`,
    ];
  } finally {
    await simulator.stop();
  }
}
