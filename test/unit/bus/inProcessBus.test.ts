import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InProcessBus, type InProcessBusOptions } from '../../../dev/inProcessBus.js';
import { complete, deadLetter, type ReceivedMessage } from '../../../shared/bus/messageBus.js';
import { AppError } from '../../../shared/errors.js';
import {
  type QueueFunctionDefinition,
  settleQueueMessage,
  settleWithBus,
} from '../../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { buildInvocationContext } from '../../support/invocationContext.js';

const queue = 'test-queue';
let bus: InProcessBus;

function buildBus(options: Partial<InProcessBusOptions> = {}): InProcessBus {
  bus = new InProcessBus({ clock: new ManualClock('2026-11-22T10:00:00Z'), ...options });
  return bus;
}

afterEach(async () => {
  await bus?.close();
});

describe('InProcessBus', () => {
  it('when a consumer completes a message, then it is delivered once with its body and properties', async () => {
    buildBus();
    const received: ReceivedMessage[] = [];
    bus.subscribe(queue, async (message) => {
      received.push(message);
      return complete;
    });

    await bus.send(queue, {
      body: { eventId: 'e1' },
      messageId: 'm1',
      applicationProperties: { kind: 'created' },
    });
    await bus.idle();

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ body: { eventId: 'e1' }, messageId: 'm1', deliveryCount: 1 });
    expect(received[0]?.applicationProperties).toEqual({ kind: 'created' });
    expect(bus.activeMessageCount(queue)).toBe(0);
    expect(bus.deadLetterQueue(queue)).toEqual([]);
  });

  it('when a consumer throws, then the message is abandoned and redelivered with a higher delivery count', async () => {
    buildBus();
    const deliveryCounts: number[] = [];
    bus.subscribe(queue, async (message) => {
      deliveryCounts.push(message.deliveryCount);
      if (message.deliveryCount < 3) throw new Error('transient');
      return complete;
    });

    await bus.send(queue, { body: 'x', messageId: 'm1' });
    await bus.idle();

    expect(deliveryCounts).toEqual([1, 2, 3]);
    expect(bus.deadLetterQueue(queue)).toEqual([]);
  });

  it('when a consumer keeps failing, then after 10 deliveries the message is dead-lettered with the reason', async () => {
    buildBus();
    let deliveries = 0;
    bus.subscribe(queue, async () => {
      deliveries += 1;
      throw new Error('Graph answered 503');
    });

    await bus.send(queue, { body: { n: 1 }, messageId: 'm1' });
    await bus.idle();

    expect(deliveries).toBe(10);
    expect(bus.deadLetterQueue(queue)).toEqual([
      expect.objectContaining({
        messageId: 'm1',
        body: { n: 1 },
        deliveryCount: 10,
        deadLetterReason: 'MaxDeliveryCountExceeded',
        deadLetterErrorDescription: 'Graph answered 503',
      }),
    ]);
  });

  it('when a consumer dead-letters, then the message goes to the dead-letter queue at once with its reason', async () => {
    buildBus();
    bus.subscribe(queue, async () => deadLetter('schema-invalid', 'eventId: Required'));

    await bus.send(queue, { body: {}, messageId: 'm1' });
    await bus.idle();

    expect(bus.deadLetterQueue(queue)).toEqual([
      expect.objectContaining({
        deliveryCount: 1,
        deadLetterReason: 'schema-invalid',
        deadLetterErrorDescription: 'eventId: Required',
      }),
    ]);
  });

  it('when the same MessageId is sent twice within the window, then the second is dropped', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock });
    const bodies: unknown[] = [];
    bus.subscribe(queue, async (message) => {
      bodies.push(message.body);
      return complete;
    });

    await bus.send(queue, { body: 'first', messageId: 'same' });
    await bus.send(queue, { body: 'second', messageId: 'same' });
    await bus.send(queue, { body: 'other', messageId: 'different' });
    await bus.idle();
    clock.advanceBy(10 * 60_000);
    await bus.send(queue, { body: 'after the window', messageId: 'same' });
    await bus.idle();

    expect(bodies).toEqual(['first', 'other', 'after the window']);
  });

  it('when a message is scheduled, then it is delivered only once its time has come', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock });
    const bodies: unknown[] = [];
    bus.subscribe(queue, async (message) => {
      bodies.push(message.body);
      return complete;
    });

    const sequenceNumber = await bus.schedule(
      queue,
      { body: 'join now', messageId: 'j1' },
      new Date('2026-11-22T10:55:00Z'),
    );
    bus.releaseDueMessages();
    await bus.idle();
    const beforeStart = [...bodies];
    clock.set('2026-11-22T10:55:00Z');
    bus.releaseDueMessages();
    await bus.idle();

    expect(typeof sequenceNumber).toBe('bigint');
    expect(beforeStart).toEqual([]);
    expect(bodies).toEqual(['join now']);
    expect(bus.scheduledMessageCount(queue)).toBe(0);
  });

  it('when a scheduled message is cancelled, then it is never delivered and cannot be cancelled twice', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock });
    const bodies: unknown[] = [];
    bus.subscribe(queue, async (message) => {
      bodies.push(message.body);
      return complete;
    });
    const keep = await bus.schedule(
      queue,
      { body: 'keep', messageId: 'k' },
      new Date('2026-11-22T11:00:00Z'),
    );
    const cancel = await bus.schedule(
      queue,
      { body: 'cancel', messageId: 'c' },
      new Date('2026-11-22T11:00:00Z'),
    );

    await bus.cancelScheduled(queue, cancel);
    clock.advanceBy(2 * 3_600_000);
    bus.releaseDueMessages();
    await bus.idle();

    expect(keep).not.toBe(cancel);
    expect(bodies).toEqual(['keep']);
    await expect(bus.cancelScheduled(queue, cancel)).rejects.toMatchObject({ code: 'message-not-scheduled' });
  });

  it('when the clock reaches a scheduled time, then the scheduler delivers it without being asked', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock, schedulerIntervalMs: 10 });
    const delivered = new Promise<unknown>((resolve) => {
      bus.subscribe(queue, async (message) => {
        resolve(message.body);
        return complete;
      });
    });

    await bus.schedule(queue, { body: 'soon' }, new Date(clock.now().getTime() + 50));
    expect(bus.scheduledMessageCount(queue)).toBe(1);
    clock.advanceBy(50);

    await expect(delivered).resolves.toBe('soon');
  });

  it('when a consumer changes the body it received, then a redelivery still carries the original', async () => {
    buildBus();
    const seen: unknown[] = [];
    bus.subscribe(queue, async (message) => {
      seen.push(structuredClone(message.body));
      (message.body as { n: number }).n = 99;
      if (message.deliveryCount === 1) throw new Error('retry');
      return complete;
    });

    await bus.send(queue, { body: { n: 1 } });
    await bus.idle();

    expect(seen).toEqual([{ n: 1 }, { n: 1 }]);
  });
});

describe('a queue function on the bus', () => {
  const bodySchema = z.object({ eventId: z.string() });
  const processed: string[] = [];
  const definition: QueueFunctionDefinition<undefined> = {
    kind: 'queue',
    name: 'processEvent',
    queueName: queue,
    async handle(message) {
      const parsed = bodySchema.safeParse(message.body);
      if (!parsed.success)
        throw new AppError('input-invalid', `message body: ${z.prettifyError(parsed.error)}`);
      if (parsed.data.eventId === 'flaky') throw new AppError('throttled', 'Graph said 429');
      processed.push(parsed.data.eventId);
      return complete;
    },
  };

  it('when a message fails its schema, then it is dead-lettered on the first delivery with the zod error', async () => {
    buildBus();
    let deliveries = 0;
    bus.subscribe(queue, (message) => {
      deliveries += 1;
      return settleQueueMessage(definition, message, undefined, buildInvocationContext());
    });

    await bus.send(queue, { body: { eventId: 42 }, messageId: 'bad' });
    await bus.idle();

    expect(deliveries).toBe(1);
    const [dead] = bus.deadLetterQueue(queue);
    expect(dead?.deadLetterReason).toBe('input-invalid');
    expect(dead?.deadLetterErrorDescription).toContain('eventId');
    expect(dead?.deadLetterErrorDescription).toContain('expected string');
  });

  it('when the handler fails transiently, then the message is scheduled again with growing pauses, then dead-lettered', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock });
    const patient = { ...definition, retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 } };
    const attempts: number[] = [];
    bus.subscribe(queue, async (message) => {
      attempts.push(Number(message.applicationProperties.retryAttempt ?? 0));
      const settlement = await settleQueueMessage(patient, message, undefined, buildInvocationContext());
      return settleWithBus(bus, queue, message, settlement, clock.now());
    });

    await bus.send(queue, { body: { eventId: 'flaky' }, messageId: 'flaky-1' });
    await bus.send(queue, { body: { eventId: 'fine' } });
    await bus.idle();
    const afterFirst = bus.scheduledMessageCount(queue);
    clock.advanceBy(999);
    bus.releaseDueMessages();
    await bus.idle();
    const beforePause = [...attempts];
    clock.advanceBy(1);
    bus.releaseDueMessages();
    await bus.idle();
    clock.advanceBy(2_000);
    bus.releaseDueMessages();
    await bus.idle();

    expect(processed).toContain('fine');
    expect(afterFirst).toBe(1);
    expect(beforePause).toEqual([0, 0]);
    expect(attempts).toEqual([0, 0, 1, 2]);
    expect(bus.deadLetterQueue(queue)).toEqual([
      expect.objectContaining({
        deliveryCount: 1,
        deadLetterReason: 'retries-exhausted',
        deadLetterErrorDescription: 'throttled: Graph said 429',
      }),
    ]);
  });

  it('when dead letters are re-driven, then the named ones leave the dead-letter queue and are delivered again without retryAttempt', async () => {
    buildBus();
    const received: ReceivedMessage[] = [];
    bus.subscribe(queue, async (message) => {
      received.push(message);
      return received.length <= 2 ? deadLetter('input-invalid', 'bad') : complete;
    });
    await bus.send(queue, { body: { n: 1 }, messageId: 'm1', applicationProperties: { retryAttempt: 4 } });
    await bus.send(queue, { body: { n: 2 }, messageId: 'm2' });
    await bus.idle();

    const redriven = await bus.redrive(queue, ['m1', 'unknown']);
    await bus.idle();

    expect(redriven).toEqual(['m1']);
    expect(bus.deadLetterQueue(queue).map((letter) => letter.messageId)).toEqual(['m2']);
    expect(received[2]).toMatchObject({
      body: { n: 1 },
      messageId: 'm1~redrive1',
      deliveryCount: 1,
      applicationProperties: { redriveCount: 1 },
    });
  });
});

/** A consumer that holds every delivery until released, and tells who is in flight. */
function buildGatedConsumer() {
  const inFlight: ReceivedMessage[] = [];
  const delivered: ReceivedMessage[] = [];
  const waiting: Array<() => void> = [];
  let maxInFlightPerSession = 0;
  const consumer = async (message: ReceivedMessage) => {
    delivered.push(message);
    inFlight.push(message);
    const sameSession = inFlight.filter((other) => other.sessionId === message.sessionId);
    if (message.sessionId !== undefined)
      maxInFlightPerSession = Math.max(maxInFlightPerSession, sameSession.length);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight.splice(inFlight.indexOf(message), 1);
    return complete;
  };
  /** Lets every held delivery finish and waits until the bus hands out the next ones. */
  const releaseAll = async () => {
    for (const resolve of waiting.splice(0)) resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { consumer, inFlight, delivered, releaseAll, maxInFlight: () => maxInFlightPerSession };
}

describe('InProcessBus sessions', () => {
  it('when messages share a session, then they are delivered one at a time, in the order they were sent', async () => {
    buildBus();
    const gated = buildGatedConsumer();
    bus.subscribe(queue, gated.consumer, { maxConcurrentCalls: 16 });

    for (const n of [1, 2, 3, 4]) await bus.send(queue, { body: n, messageId: `m${n}`, sessionId: 't1:u1' });
    const firstInFlight = gated.inFlight.map((message) => message.body);
    while (gated.delivered.length < 4 || gated.inFlight.length > 0) await gated.releaseAll();
    await bus.idle();

    expect(firstInFlight).toEqual([1]);
    expect(gated.maxInFlight()).toBe(1);
    expect(gated.delivered.map((message) => message.body)).toEqual([1, 2, 3, 4]);
    expect(gated.delivered.every((message) => message.sessionId === 't1:u1')).toBe(true);
  });

  it('when messages are in different sessions or none, then they are processed concurrently', async () => {
    buildBus();
    const gated = buildGatedConsumer();
    bus.subscribe(queue, gated.consumer, { maxConcurrentCalls: 16 });

    await bus.send(queue, { body: 'u1 first', sessionId: 't1:u1' });
    await bus.send(queue, { body: 'u1 second', sessionId: 't1:u1' });
    await bus.send(queue, { body: 'u2', sessionId: 't1:u2' });
    await bus.send(queue, { body: 'no session' });
    const concurrent = gated.inFlight.map((message) => message.body);
    while (gated.delivered.length < 4 || gated.inFlight.length > 0) await gated.releaseAll();

    // The second message of u1 waits for the first; it does not hold back u2 or the session-less one.
    expect(concurrent).toEqual(['u1 first', 'u2', 'no session']);
    expect(gated.delivered.map((message) => message.body)).toContain('u1 second');
  });

  it('when sessions are many, then maxConcurrentCalls still bounds the messages in flight', async () => {
    buildBus();
    const gated = buildGatedConsumer();
    bus.subscribe(queue, gated.consumer, { maxConcurrentCalls: 2 });

    for (const n of [1, 2, 3]) await bus.send(queue, { body: n, sessionId: `t1:u${n}` });
    const concurrent = gated.inFlight.length;
    while (gated.delivered.length < 3 || gated.inFlight.length > 0) await gated.releaseAll();

    expect(concurrent).toBe(2);
    expect(gated.delivered).toHaveLength(3);
  });

  it('when a retried message is released, then it goes back into its session, behind the message in flight', async () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    buildBus({ clock });
    const gated = buildGatedConsumer();
    const flakyOnce: QueueFunctionDefinition<undefined> = {
      kind: 'queue',
      name: 'flakyOnce',
      queueName: queue,
      retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 },
      async handle() {
        throw new AppError('throttled', 'Graph said 429');
      },
    };
    bus.subscribe(queue, async (message) => {
      if (message.body === 'flaky' && message.applicationProperties.retryAttempt === undefined) {
        const settlement = await settleQueueMessage(flakyOnce, message, undefined, buildInvocationContext());
        return settleWithBus(bus, queue, message, settlement, clock.now());
      }
      return gated.consumer(message);
    });

    await bus.send(queue, { body: 'flaky', messageId: 'f1', sessionId: 't1:u1' });
    await bus.send(queue, { body: 'next', messageId: 'n1', sessionId: 't1:u1' });
    await new Promise((resolve) => setImmediate(resolve));
    const scheduled = bus.scheduledMessageCount(queue);
    clock.advanceBy(1_000);
    bus.releaseDueMessages();
    const whileNextInFlight = gated.inFlight.map((message) => message.body);
    while (gated.delivered.length < 2 || gated.inFlight.length > 0) await gated.releaseAll();

    expect(scheduled).toBe(1);
    expect(whileNextInFlight).toEqual(['next']);
    expect(gated.delivered.map((message) => [message.body, message.sessionId])).toEqual([
      ['next', 't1:u1'],
      ['flaky', 't1:u1'],
    ]);
    expect(gated.maxInFlight()).toBe(1);
  });

  it('when a message of a session is abandoned, then it is delivered again before the later messages of its session', async () => {
    buildBus();
    const bodies: unknown[] = [];
    bus.subscribe(queue, async (message) => {
      bodies.push(message.body);
      if (message.body === 'first' && message.deliveryCount === 1) throw new Error('transient');
      return complete;
    });

    await bus.send(queue, { body: 'first', sessionId: 't1:u1' });
    await bus.send(queue, { body: 'second', sessionId: 't1:u1' });
    await bus.idle();

    expect(bodies).toEqual(['first', 'first', 'second']);
  });

  it('when a queue is session-enabled, then a message without a session is refused, as Service Bus does', async () => {
    buildBus({ sessionQueues: [queue] });

    await expect(bus.send(queue, { body: 'x' })).rejects.toMatchObject({ code: 'request-rejected' });
    await expect(bus.send(queue, { body: 'x', sessionId: 't1:u1' })).resolves.toBeUndefined();
  });
});
