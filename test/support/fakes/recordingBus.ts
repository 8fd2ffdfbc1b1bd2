import type { MessageBus, OutgoingMessage, SequenceNumber } from '../../../shared/bus/messageBus.js';
import { AppError } from '../../../shared/errors.js';

/** The sending side of the bus in memory: what was sent, what is scheduled (and when), what was cancelled. */
export class RecordingBus implements Pick<MessageBus, 'send' | 'schedule' | 'cancelScheduled'> {
  readonly sent: Array<{ queue: string; message: OutgoingMessage }> = [];
  readonly scheduled = new Map<
    SequenceNumber,
    { queue: string; message: OutgoingMessage; enqueueAt: Date }
  >();
  readonly cancelled: SequenceNumber[] = [];
  #next = 1n;

  async send(queue: string, message: OutgoingMessage): Promise<void> {
    this.sent.push({ queue, message: structuredClone(message) });
  }

  async schedule(queue: string, message: OutgoingMessage, enqueueAt: Date): Promise<SequenceNumber> {
    const sequenceNumber = this.#next++;
    this.scheduled.set(sequenceNumber, { queue, message: structuredClone(message), enqueueAt });
    return sequenceNumber;
  }

  async cancelScheduled(_queue: string, sequenceNumber: SequenceNumber): Promise<void> {
    if (!this.scheduled.delete(sequenceNumber))
      throw new AppError('message-not-scheduled', 'cancel: no such scheduled message');
    this.cancelled.push(sequenceNumber);
  }

  /** Takes the scheduled messages due by `now` off the schedule, as the bus would deliver them. */
  release(now: Date): OutgoingMessage[] {
    const due: OutgoingMessage[] = [];
    for (const [sequenceNumber, entry] of this.scheduled)
      if (entry.enqueueAt.getTime() <= now.getTime()) {
        this.scheduled.delete(sequenceNumber);
        due.push(entry.message);
      }
    return due;
  }
}
