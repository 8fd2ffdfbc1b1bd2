import { InProcessBus } from '../dev/inProcessBus.js';
import { complete } from '../shared/bus/messageBus.js';
import { systemClock } from '../shared/time/clock.js';

/** Messages per second through the local bus: send, deliver, complete; and with one abandon each. */
export async function benchInProcessBus(): Promise<string[]> {
  const lines: string[] = [];
  for (const [label, failFirst] of [
    ['in-process bus: send+deliver+complete', false],
    ['in-process bus: with one abandon per message', true],
  ] as const) {
    const bus = new InProcessBus({ clock: systemClock });
    const count = 50_000;
    bus.subscribe(
      'bench',
      async (message) => {
        if (failFirst && message.deliveryCount === 1) throw new Error('transient');
        return complete;
      },
      { maxConcurrentCalls: 32 },
    );
    const started = performance.now();
    for (let i = 0; i < count; i++) await bus.send('bench', { body: { i }, messageId: `m${i}` });
    await bus.idle();
    const ms = performance.now() - started;
    lines.push(`${label.padEnd(44)} ${count} messages  ${((count / ms) * 1000).toFixed(0)}/s`);
    await bus.close();
  }
  return lines;
}
