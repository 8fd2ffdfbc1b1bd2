import type { PresenceChange } from './presencePublisher.js';

/** A span of time, `[start, end)`, in epoch milliseconds (UTC). */
export interface Interval {
  startMs: number;
  endMs: number;
}

/** A user's automatic replies as Graph reports them, with a scheduled window converted to UTC. */
export type AutomaticReplies =
  | { status: 'disabled' }
  | { status: 'alwaysEnabled' }
  | { status: 'scheduled'; window: Interval };

/** What one poll learnt about a user: both signals of out of office. */
export interface PresenceReading {
  automaticReplies: AutomaticReplies;
  /** Events shown as out of office (`showAs: oof`, not cancelled) overlapping the poll's window. */
  outOfOfficeEvents: readonly Interval[];
}

export type PresenceState = PresenceChange['state'];
export type PresenceSignal = PresenceChange['signal'];

/** The presence a reading gives at a moment, and since when it has been so. */
export interface DerivedPresence {
  state: PresenceState;
  /** The signal that makes the user out of office; for in office, the one whose end made them so. */
  signal: PresenceSignal;
  /** When this state began, as far as the reading tells: a window's start or end, else `nowMs`. */
  sinceMs: number;
}

function covers(interval: Interval, atMs: number): boolean {
  return interval.startMs <= atMs && atMs < interval.endMs;
}

/**
 * Out of office when either signal says so at `nowMs`: automatic replies always on, a scheduled
 * window covering now, or an event shown as out of office covering now. The automatic replies win
 * when both do, as the user's own statement. `sinceMs` is the window's start when a window explains
 * the state, so that a poll and an exact-time message that both see a change report the same time.
 */
export function derivePresence(reading: PresenceReading, nowMs: number): DerivedPresence {
  const replies = reading.automaticReplies;
  if (replies.status === 'alwaysEnabled')
    return { state: 'out-of-office', signal: 'automatic-replies', sinceMs: nowMs };
  if (replies.status === 'scheduled' && covers(replies.window, nowMs))
    return { state: 'out-of-office', signal: 'automatic-replies', sinceMs: replies.window.startMs };
  const covering = reading.outOfOfficeEvents.filter((event) => covers(event, nowMs));
  if (covering.length > 0)
    return {
      state: 'out-of-office',
      signal: 'calendar-event',
      sinceMs: Math.min(...covering.map((event) => event.startMs)),
    };
  // In office: since the latest end of a window that has passed, if one has.
  const ended = [
    ...(replies.status === 'scheduled' && replies.window.endMs <= nowMs
      ? [{ endMs: replies.window.endMs, signal: 'automatic-replies' as const }]
      : []),
    ...reading.outOfOfficeEvents
      .filter((event) => event.endMs <= nowMs)
      .map((event) => ({ endMs: event.endMs, signal: 'calendar-event' as const })),
  ].sort((a, b) => b.endMs - a.endMs)[0];
  return ended
    ? { state: 'in-office', signal: ended.signal, sinceMs: ended.endMs }
    : { state: 'in-office', signal: 'automatic-replies', sinceMs: nowMs };
}

/** At most this many exact-time messages are kept per user; later boundaries wait for a later poll. */
export const maxPlannedBoundaries = 8;

/**
 * The future moments at which the reading's presence may change (starts and ends of windows after
 * `nowMs`), in order, without repeats: each is acted on with a message scheduled for that time,
 * rather than at the next poll.
 */
export function upcomingBoundaries(reading: PresenceReading, nowMs: number): number[] {
  const intervals = [
    ...(reading.automaticReplies.status === 'scheduled' ? [reading.automaticReplies.window] : []),
    ...reading.outOfOfficeEvents,
  ];
  const times = new Set<number>();
  for (const interval of intervals) {
    if (interval.startMs > nowMs) times.add(interval.startMs);
    if (interval.endMs > nowMs) times.add(interval.endMs);
  }
  return [...times].sort((a, b) => a - b).slice(0, maxPlannedBoundaries);
}
