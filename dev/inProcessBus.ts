import { type DeadLetterQueues, redriveCopy } from '../shared/bus/deadLetterRedrive.js';
import type {
  ApplicationPropertyValue,
  MessageBus,
  OutgoingMessage,
  ReceivedMessage,
  SequenceNumber,
  Settlement,
} from '../shared/bus/messageBus.js';
import { maxDeliveryCount as serviceBusMaxDeliveryCount } from '../shared/bus/queues.js';
import { AppError } from '../shared/errors.js';
import { withTraceContext } from '../shared/observability/telemetry.js';
import type { Clock } from '../shared/time/clock.js';

/** A message consumer: settles, or throws to abandon (the bus delivers again). */
export type MessageConsumer = (message: ReceivedMessage) => Promise<Settlement>;

export interface DeadLetteredMessage {
  queue: string;
  messageId: string;
  sessionId?: string;
  body: unknown;
  applicationProperties: Readonly<Record<string, ApplicationPropertyValue>>;
  deliveryCount: number;
  deadLetterReason: string;
  deadLetterErrorDescription: string;
}

export interface InProcessBusOptions {
  /** The system's one clock: schedules and duplicate detection compare against it, never the machine's. */
  clock: Clock;
  /** Deliveries before a message is dead-lettered; Service Bus's default is 10. */
  maxDeliveryCount?: number;
  /** Service Bus's duplicate detection history window; its default is 10 minutes. */
  duplicateDetectionWindowMs?: number;
  /** Pause before an abandoned message is delivered again (Service Bus: immediately). */
  redeliveryDelayMs?: number;
  /** How often scheduled messages are checked against the clock. */
  schedulerIntervalMs?: number;
  /**
   * Session-enabled queues: like Service Bus, they refuse a message without a `sessionId`. (Any
   * queue delivers the messages of one session one at a time.)
   */
  sessionQueues?: readonly string[];
}

interface QueuedMessage {
  sequenceNumber: SequenceNumber;
  messageId: string;
  sessionId: string | undefined;
  /** JSON text, as on the wire: consumers get a fresh copy on every delivery. */
  bodyJson: string;
  applicationProperties: Record<string, ApplicationPropertyValue>;
  deliveryCount: number;
  enqueuedTime: Date | undefined;
}

interface ScheduledMessage {
  message: QueuedMessage;
  enqueueAt: number;
}

/** What a queue saw, for the local host's diagnostics: counts and the most recent messages. */
export interface QueueDiagnostics {
  sent: number;
  duplicatesDropped: number;
  active: number;
  scheduled: number;
  deadLettered: number;
  recent: Array<{ messageId: string; body: unknown; sentAt: string }>;
}

const recentLimit = 500;

class LocalQueue {
  sent = 0;
  duplicatesDropped = 0;
  readonly recent: Array<{ messageId: string; bodyJson: string; sentAt: string }> = [];
  readonly active: QueuedMessage[] = [];
  readonly scheduled = new Map<SequenceNumber, ScheduledMessage>();
  readonly deadLetters: DeadLetteredMessage[] = [];
  /** messageId -> time it was first seen, for duplicate detection. */
  readonly seenMessageIds = new Map<string, number>();
  readonly locked = new Set<QueuedMessage>();
  /** Sessions with a message in flight: their other messages wait until it is settled. */
  readonly lockedSessions = new Set<string>();
  consumer: { handle: MessageConsumer; maxConcurrentCalls: number } | undefined;
  nextSequenceNumber: SequenceNumber = 1n;
}

/**
 * Service Bus semantics in process, for the local host and tests: peek-lock delivery (a consumer that
 * throws abandons and the message comes back with a higher delivery count), dead-letter with a reason
 * after the maximum delivery count or when the consumer says so, scheduled messages with sequence
 * numbers and cancellation, duplicate detection by MessageId within a window, and sessions: the
 * messages of one session are delivered one at a time, in the order they became available (the
 * session is locked while one is in flight), while messages of other sessions or of none run
 * concurrently up to the consumer's `maxConcurrentCalls`.
 *
 * Not modelled: lock expiry of a consumer that hangs, session state, a limit on concurrent sessions,
 * topics, message size limits.
 */
export class InProcessBus implements MessageBus, DeadLetterQueues {
  readonly #queues = new Map<string, LocalQueue>();
  readonly #clock: Clock;
  readonly #maxDeliveryCount: number;
  readonly #duplicateWindowMs: number;
  readonly #redeliveryDelayMs: number;
  readonly #schedulerIntervalMs: number;
  readonly #sessionQueues: ReadonlySet<string>;
  #scheduler: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: InProcessBusOptions) {
    this.#clock = options.clock;
    this.#maxDeliveryCount = options.maxDeliveryCount ?? serviceBusMaxDeliveryCount;
    this.#duplicateWindowMs = options.duplicateDetectionWindowMs ?? 10 * 60_000;
    this.#redeliveryDelayMs = options.redeliveryDelayMs ?? 0;
    this.#schedulerIntervalMs = options.schedulerIntervalMs ?? 100;
    this.#sessionQueues = new Set(options.sessionQueues ?? []);
  }

  #queue(name: string): LocalQueue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new LocalQueue();
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Accepts the message unless its id was seen within the window; builds the queued form. */
  #admit(queueName: string, message: OutgoingMessage): QueuedMessage | undefined {
    if (this.#closed) throw new AppError('dependency-unavailable', 'the in-process bus is closed');
    if (message.sessionId === undefined && this.#sessionQueues.has(queueName)) {
      throw new AppError('request-rejected', `${queueName} is session-enabled: a message needs a sessionId`);
    }
    const queue = this.#queue(queueName);
    const now = this.#clock.now().getTime();
    // Ids are kept in the order they were first seen, so expiry stops at the first one still fresh.
    for (const [id, seenAt] of queue.seenMessageIds) {
      if (now - seenAt < this.#duplicateWindowMs) break;
      queue.seenMessageIds.delete(id);
    }
    const bodyJson = JSON.stringify(message.body ?? null);
    const messageId = message.messageId ?? crypto.randomUUID();
    if (queue.seenMessageIds.has(messageId)) {
      queue.duplicatesDropped += 1;
      return undefined;
    }
    queue.seenMessageIds.set(messageId, now);
    queue.sent += 1;
    queue.recent.push({ messageId, bodyJson, sentAt: new Date(now).toISOString() });
    if (queue.recent.length > recentLimit) queue.recent.shift();
    const sequenceNumber = queue.nextSequenceNumber;
    queue.nextSequenceNumber += 1n;
    return {
      sequenceNumber,
      messageId,
      sessionId: message.sessionId,
      bodyJson,
      applicationProperties: { ...(message.applicationProperties ?? {}) },
      deliveryCount: 0,
      enqueuedTime: undefined,
    };
  }

  async send(queueName: string, message: OutgoingMessage): Promise<void> {
    // As the Service Bus adapter: the sender's trace context travels in the application properties.
    const queued = this.#admit(queueName, withTraceContext(message));
    if (!queued) return;
    queued.enqueuedTime = this.#clock.now();
    this.#queue(queueName).active.push(queued);
    this.#pump(queueName);
  }

  async schedule(queueName: string, message: OutgoingMessage, enqueueAt: Date): Promise<SequenceNumber> {
    const queued = this.#admit(queueName, withTraceContext(message));
    // Service Bus still returns a sequence number for a duplicate; cancelling it is a no-op there too.
    if (!queued) return this.#queue(queueName).nextSequenceNumber++;
    this.#queue(queueName).scheduled.set(queued.sequenceNumber, {
      message: queued,
      enqueueAt: enqueueAt.getTime(),
    });
    this.#startScheduler();
    this.releaseDueMessages();
    return queued.sequenceNumber;
  }

  async cancelScheduled(queueName: string, sequenceNumber: SequenceNumber): Promise<void> {
    if (!this.#queue(queueName).scheduled.delete(sequenceNumber)) {
      throw new AppError('message-not-scheduled', `cancel on ${queueName}: no such scheduled message`);
    }
  }

  async checkHealth(): Promise<void> {
    if (this.#closed) throw new AppError('dependency-unavailable', 'the in-process bus is closed');
  }

  /** Starts delivering a queue's messages to a consumer, as a queue-triggered function would. */
  subscribe(queueName: string, handle: MessageConsumer, options: { maxConcurrentCalls?: number } = {}): void {
    const queue = this.#queue(queueName);
    if (queue.consumer) throw new Error(`queue ${queueName} already has a consumer`);
    queue.consumer = { handle, maxConcurrentCalls: options.maxConcurrentCalls ?? 16 };
    this.#pump(queueName);
  }

  /** Moves scheduled messages whose time has come to their queues (called by a timer, or by tests). */
  releaseDueMessages(): void {
    const now = this.#clock.now().getTime();
    for (const [name, queue] of this.#queues) {
      for (const [sequenceNumber, scheduled] of queue.scheduled) {
        if (scheduled.enqueueAt > now) continue;
        queue.scheduled.delete(sequenceNumber);
        scheduled.message.enqueuedTime = new Date(now);
        queue.active.push(scheduled.message);
      }
      this.#pump(name);
    }
  }

  diagnostics(queueName: string): QueueDiagnostics {
    const queue = this.#queue(queueName);
    return {
      sent: queue.sent,
      duplicatesDropped: queue.duplicatesDropped,
      active: queue.active.length + queue.locked.size,
      scheduled: queue.scheduled.size,
      deadLettered: queue.deadLetters.length,
      recent: queue.recent.map((entry) => ({
        messageId: entry.messageId,
        body: JSON.parse(entry.bodyJson),
        sentAt: entry.sentAt,
      })),
    };
  }

  queueNames(): string[] {
    return [...this.#queues.keys()].sort();
  }

  deadLetterQueue(queueName: string): readonly DeadLetteredMessage[] {
    return [...this.#queue(queueName).deadLetters];
  }

  /**
   * Moves the named dead letters back to their queue as `redriveCopy` makes them (the Service Bus
   * adapter's behaviour, without the batches); returns the ids it moved.
   */
  async redrive(queueName: string, messageIds: readonly string[]): Promise<string[]> {
    const queue = this.#queue(queueName);
    const wanted = new Set(messageIds);
    const redriven: string[] = [];
    for (const letter of [...queue.deadLetters]) {
      if (!wanted.has(letter.messageId)) continue;
      wanted.delete(letter.messageId);
      await this.send(queueName, redriveCopy(letter));
      queue.deadLetters.splice(queue.deadLetters.indexOf(letter), 1);
      redriven.push(letter.messageId);
    }
    return redriven;
  }

  /** Messages waiting or being processed (scheduled ones not included). */
  activeMessageCount(queueName: string): number {
    const queue = this.#queue(queueName);
    return queue.active.length + queue.locked.size;
  }

  scheduledMessageCount(queueName: string): number {
    return this.#queue(queueName).scheduled.size;
  }

  /** Resolves when no active message is waiting for a consumer or being processed. */
  async idle(): Promise<void> {
    while (!this.#isIdle()) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  #isIdle(): boolean {
    if (this.#inFlight.size > 0) return false;
    for (const queue of this.#queues.values()) {
      if (queue.consumer && queue.active.length > 0) return false;
    }
    return true;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #startScheduler(): void {
    if (this.#scheduler || this.#closed) return;
    this.#scheduler = setInterval(() => this.releaseDueMessages(), this.#schedulerIntervalMs);
    this.#scheduler.unref();
  }

  #pump(queueName: string): void {
    const queue = this.#queue(queueName);
    const consumer = queue.consumer;
    if (!consumer || this.#closed) return;
    let index = 0;
    while (index < queue.active.length && queue.locked.size < consumer.maxConcurrentCalls) {
      const message = queue.active[index];
      if (!message) break;
      if (message.sessionId !== undefined && queue.lockedSessions.has(message.sessionId)) {
        // Its session is busy: it waits, and so do the session's later messages behind it.
        index += 1;
        continue;
      }
      queue.active.splice(index, 1);
      queue.locked.add(message);
      if (message.sessionId !== undefined) queue.lockedSessions.add(message.sessionId);
      message.deliveryCount += 1;
      const delivery = this.#deliver(queueName, queue, consumer.handle, message).finally(() => {
        this.#inFlight.delete(delivery);
        this.#notifyIfIdle();
      });
      this.#inFlight.add(delivery);
    }
  }

  async #deliver(queueName: string, queue: LocalQueue, handle: MessageConsumer, message: QueuedMessage) {
    let settlement: Settlement | undefined;
    let failure: unknown;
    try {
      settlement = await handle({
        body: JSON.parse(message.bodyJson),
        messageId: message.messageId,
        deliveryCount: message.deliveryCount,
        enqueuedTime: message.enqueuedTime,
        ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
        applicationProperties: { ...message.applicationProperties },
      });
    } catch (error) {
      failure = error;
    }
    queue.locked.delete(message);
    // An abandoned message of a session goes back to the head of its session, as on Service Bus.
    const putBack = () =>
      message.sessionId === undefined ? queue.active.push(message) : queue.active.unshift(message);
    if (settlement?.outcome === 'complete') {
      // Completed: gone.
    } else if (settlement?.outcome === 'dead-letter') {
      this.#moveToDeadLetter(queueName, queue, message, settlement.reason, settlement.description);
    } else if (message.deliveryCount >= this.#maxDeliveryCount) {
      const description = failure instanceof Error ? failure.message : String(failure);
      this.#moveToDeadLetter(queueName, queue, message, 'MaxDeliveryCountExceeded', description);
    } else if (this.#redeliveryDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.#redeliveryDelayMs));
      putBack();
    } else {
      putBack();
    }
    if (message.sessionId !== undefined) queue.lockedSessions.delete(message.sessionId);
    this.#pump(queueName);
  }

  #moveToDeadLetter(
    queueName: string,
    queue: LocalQueue,
    message: QueuedMessage,
    reason: string,
    description: string,
  ) {
    queue.deadLetters.push({
      queue: queueName,
      messageId: message.messageId,
      ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
      body: JSON.parse(message.bodyJson),
      applicationProperties: { ...message.applicationProperties },
      deliveryCount: message.deliveryCount,
      deadLetterReason: reason,
      deadLetterErrorDescription: description,
    });
  }

  /** Stops delivering and waits for deliveries in flight to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#scheduler) clearInterval(this.#scheduler);
    await Promise.allSettled([...this.#inFlight]);
  }
}
