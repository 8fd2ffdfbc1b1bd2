import type { PresenceChange, PresencePublisher } from './presencePublisher.js';

/**
 * Publishes each change to every channel that carries presence. Every channel is tried even when
 * one fails; then the first failure is thrown, so presence tracking keeps the change and publishes
 * it again (a channel that took it already sees it twice, which its receivers must tolerate:
 * CloudEvents carry a stable id for that).
 */
export class PresenceFanOut implements PresencePublisher {
  readonly #channels: readonly PresencePublisher[];

  constructor(channels: readonly PresencePublisher[]) {
    this.#channels = channels;
  }

  async publishPresence(change: PresenceChange): Promise<void> {
    const outcomes = await Promise.allSettled(
      this.#channels.map((channel) => channel.publishPresence(change)),
    );
    const failure = outcomes.find(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    if (failure) throw failure.reason;
  }
}
