import type { TokenCredential } from '@azure/identity';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { type DeadLetterQueues, redriveCopy } from '../../bus/deadLetterRedrive.js';
import { fromServiceBusReceivedMessage, toBusError, toServiceBusMessage } from './serviceBusMessageBus.js';

/** How one re-drive walks a dead-letter queue: bounded so a request ends well inside a lock duration. */
export interface RedriveBudget {
  /** Messages per receive call. */
  batchSize: number;
  /** Messages looked at (and held locked) in all, matching or not. */
  maxScanned: number;
  /** Wall-clock time for the whole walk; Service Bus's default lock lasts 60 s. */
  timeBudgetMs: number;
  /** How long one receive waits for messages before the queue counts as read through. */
  maxWaitTimeInMs: number;
}

export const defaultRedriveBudget: RedriveBudget = {
  batchSize: 50,
  maxScanned: 2_000,
  timeBudgetMs: 30_000,
  maxWaitTimeInMs: 2_000,
};

/** Splits a received batch into the dead letters asked for (each once) and the ones to leave. */
export function selectRedrivable<M extends { messageId?: unknown }>(
  batch: readonly M[],
  wanted: ReadonlySet<string>,
): { take: M[]; leave: M[] } {
  const take: M[] = [];
  const leave: M[] = [];
  const taken = new Set<string>();
  for (const message of batch) {
    const id = message.messageId === undefined ? undefined : String(message.messageId);
    if (id !== undefined && wanted.has(id) && !taken.has(id)) {
      taken.add(id);
      take.push(message);
    } else {
      leave.push(message);
    }
  }
  return { take, leave };
}

/**
 * Re-drives dead letters on Azure Service Bus: receives the queue's dead-letter sub-queue in peek-lock
 * batches, sends each wanted message back to the queue, and completes the dead-letter copy only after
 * that send succeeded (a failure leaves it dead-lettered, at worst with a copy also sent). Messages not
 * asked for stay locked until the walk ends, so later batches reach past them, then are abandoned back.
 *
 * Not run in this repository's tests: there is no Service Bus namespace here; `selectRedrivable` and
 * `redriveCopy` are the parts under unit test.
 */
export class ServiceBusDeadLetterQueues implements DeadLetterQueues {
  readonly #namespace: string;
  readonly #credential: TokenCredential;
  readonly #budget: RedriveBudget;
  #client: ServiceBusClient | undefined;

  constructor(fullyQualifiedNamespace: string, credential: TokenCredential, budget = defaultRedriveBudget) {
    this.#namespace = fullyQualifiedNamespace;
    this.#credential = credential;
    this.#budget = budget;
  }

  async redrive(queue: string, messageIds: readonly string[]): Promise<string[]> {
    const wanted = new Set(messageIds);
    if (wanted.size === 0) return [];
    this.#client ??= new ServiceBusClient(this.#namespace, this.#credential);
    const receiver = this.#client.createReceiver(queue, {
      subQueueType: 'deadLetter',
      receiveMode: 'peekLock',
    });
    const sender = this.#client.createSender(queue);
    const held: ServiceBusReceivedMessage[] = [];
    const redriven: string[] = [];
    const deadline = Date.now() + this.#budget.timeBudgetMs;
    let scanned = 0;
    try {
      while (wanted.size > 0 && scanned < this.#budget.maxScanned && Date.now() < deadline) {
        const batch = await receiver.receiveMessages(
          Math.min(this.#budget.batchSize, this.#budget.maxScanned - scanned),
          { maxWaitTimeInMs: this.#budget.maxWaitTimeInMs },
        );
        if (batch.length === 0) break;
        scanned += batch.length;
        const { take, leave } = selectRedrivable(batch, wanted);
        held.push(...leave);
        for (const message of take) {
          const id = String(message.messageId);
          await sender.sendMessages(toServiceBusMessage(redriveCopy(fromServiceBusReceivedMessage(message))));
          await receiver.completeMessage(message);
          wanted.delete(id);
          redriven.push(id);
        }
      }
      return redriven;
    } catch (error) {
      throw toBusError(error, `re-drive dead letters of ${queue}`);
    } finally {
      await Promise.allSettled(held.map((message) => receiver.abandonMessage(message)));
      await Promise.allSettled([receiver.close(), sender.close()]);
    }
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }
}
