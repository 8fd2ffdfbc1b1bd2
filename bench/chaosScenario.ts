import type { RunningLocalStack } from '../dev/localStack.js';
import { errorRetryFunction } from '../functions/errorRetry.js';
import { reconciliationFunction } from '../functions/reconciliation.js';
import type { GraphEvent } from '../shared/adapters/graph/graphModels.js';
import type { MailboxRef } from '../shared/calendar/mailbox.js';
import { hasErrorCode } from '../shared/errors.js';
import { InvocationContext } from '../shared/hosting/azureFunctionsRuntime.js';
import { eventTraces } from '../shared/meetings/eventTrace.js';
import { keyOf, meetingRecords } from '../shared/meetings/meetingRecord.js';
import { enableUsers } from '../shared/watch/enablement.js';
import { reconciliationPeriodMs, reconciliationTickMs } from '../shared/watch/reconciliation.js';

/**
 * Issue 11's chaos scenario, one size or another: events of every kind made and edited while Graph,
 * its notifications and Webex misbehave (throttling, 5xx, latency, dropped and duplicated
 * notifications, a 30-minute Webex outage, a mailbox gone for a while, an invalidated delta token,
 * two `missed` lifecycle events), then the faults end and one reconciliation period passes on the
 * stack's one clock. What must hold afterwards comes back as `problems` (empty when all is well),
 * so the test asserts it and `npm run chaos` prints it.
 */
export interface ChaosSize {
  /** Users taking part (the demo tenant's four people, then added users). */
  users: number;
  /** Events made by the scenario, a weekly series with an exception included. */
  events: number;
}

export interface ChaosFigures {
  events: number;
  keywordEvents: number;
  users: number;
  /** PATCHes Graph served that wrote a join block (412s and the test's own edits not counted). */
  decoratingPatches: number;
  /** Decorating PATCHes answered 412 (the event changed since the read): nothing written, read again. */
  conflicts: number;
  ownPatches: number;
  /** Decorations beyond an event's first, each after the test changed that event. */
  rewrites: number;
  /** Events the scenario did not make (the demo tenant's) decorated during it, e.g. as they entered the window. */
  otherEventsDecorated: number;
  /** Keyword events that must carry a block: the live ones, and deleted ones decorated before. */
  decoratedKeywordEvents: number;
  retriesScheduled: number;
  deadLetters: Record<string, number>;
  /** Requests Graph served, by operation (`PATCH event`, ...); throttled and failed attempts not counted. */
  graphRequests: Record<string, number>;
  injectedGraphFaults: number;
  notifications: { dropped: number; duplicated: number; delivered: number };
  simulatedMs: number;
}

export interface ChaosOutcome {
  figures: ChaosFigures;
  /** Every broken promise, one line each (event kind and id, what happened). */
  problems: string[];
}

type Kind = 'webex' | 'meet' | 'plain' | 'series';

interface MadeEvent {
  organizer: string;
  id: string;
  kind: Kind;
  deleted: boolean;
  /** Deleted after the test saw its join block: one decorating PATCH is expected all the same. */
  decoratedBeforeDeletion: boolean;
  /** Changed by the test after it was made. */
  edited: boolean;
}

/** Causes a dead letter may not have: a transient failure must have been retried until it healed. */
const transientCauses = new Set([
  'retries-exhausted',
  'MaxDeliveryCountExceeded',
  'throttled',
  'dependency-unavailable',
  'precondition-failed',
]);

const joinBlockPattern = /data-hybrid-calendar-join/g;
const dayMs = 86_400_000;
const minuteMs = 60_000;

function locationOf(kind: Kind, index: number): string {
  if (kind === 'webex' || kind === 'series') return '@webex';
  if (kind === 'meet') return '@meet';
  return `Room ${index}`;
}

function kindOf(index: number): Exclude<Kind, 'series'> {
  const slot = index % 10;
  if (slot < 3) return 'webex';
  if (slot < 5) return 'meet';
  return 'plain';
}

export async function runChaosScenario(stack: RunningLocalStack, size: ChaosSize): Promise<ChaosOutcome> {
  const tenantId = stack.graph.tenant.tenantId;
  const people = stack.graph.tenant.users.filter((user) => !user.isRoom);
  if (people.length < size.users) {
    const added = stack.graph.addUsers(size.users - people.length, 'chaos');
    await enableUsers(
      stack.services.watch,
      tenantId,
      added.map((user) => user.id),
    );
    await stack.bus.idle();
  }
  const users = stack.graph.tenant.users
    .filter((user) => !user.isRoom)
    .slice(0, size.users)
    .map((user) => user.id);
  const mails = new Map(stack.graph.tenant.users.map((user) => [user.id, user.mail]));
  const mailbox = (userId: string): MailboxRef => ({ tenantId, userId });
  const gateway = stack.services.calendar;
  const startedAt = stack.clock.now().getTime();

  // Every retry the hosting layer schedules, counted on this stack's bus (the bus itself is untouched).
  let retriesScheduled = 0;
  const schedule = stack.bus.schedule.bind(stack.bus);
  stack.bus.schedule = (queueName, message, enqueueAt) => {
    retriesScheduled += 1;
    return schedule(queueName, message, enqueueAt);
  };

  // A decorating PATCH that meets a newer version (412, someone changed the event since the read) is
  // served but writes nothing; the service reads again and writes once. Counted per mailbox.
  const conflictsBy = new Map<string, number>();
  const updateEvent = stack.services.calendar.updateEvent.bind(stack.services.calendar);
  stack.services.calendar.updateEvent = async (target, eventId, changes, options) => {
    try {
      return await updateEvent(target, eventId, changes, options);
    } catch (error) {
      if (hasErrorCode(error, 'precondition-failed'))
        conflictsBy.set(target.userId, (conflictsBy.get(target.userId) ?? 0) + 1);
      throw error;
    }
  };

  const settle = async (): Promise<void> => {
    for (let round = 0; round < 3; round += 1) {
      await stack.graph.subscriptions.settle();
      await stack.bus.idle();
    }
  };
  /** Moves the one clock in steps, releasing scheduled retries as it passes them. */
  const passTime = async (ms: number, stepMs = minuteMs): Promise<void> => {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      stack.clock.advanceBy(stepMs);
      stack.bus.releaseDueMessages();
      await settle();
    }
  };
  /** The test's own Graph writes meet the same faults: past the gateway's retries, it tries again. */
  const persist = async <T>(write: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= 10) throw error;
      }
    }
  };
  const ownPatchesBy = new Map<string, number>();
  const countOwnPatch = (userId: string) => ownPatchesBy.set(userId, (ownPatchesBy.get(userId) ?? 0) + 1);
  const edit = async (entry: MadeEvent, changes: Record<string, unknown>): Promise<void> => {
    await persist(() => gateway.updateEvent(mailbox(entry.organizer), entry.id, changes));
    countOwnPatch(entry.organizer);
    entry.edited = true;
  };
  /** The Graph simulator's control API, as a test drives it over HTTP. */
  const control = async (path: string, body: unknown = {}): Promise<void> => {
    const response = await fetch(`${stack.endpoints.graphControl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`POST /_control${path}: ${response.status}`);
  };
  const timesOf = (index: number, shiftHours = 0) => {
    const day = new Date(startedAt + (1 + (index % 25)) * dayMs).toISOString().slice(0, 10);
    const hour = String(8 + ((index + shiftHours) % 10)).padStart(2, '0');
    return {
      start: { dateTime: `${day}T${hour}:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T${hour}:30:00`, timeZone: 'UTC' },
    };
  };
  const made: MadeEvent[] = [];
  const create = async (index: number, kind: Kind): Promise<MadeEvent> => {
    const organizer = users[index % users.length] as string;
    const attendee = users[(index + 1) % users.length] as string;
    const series =
      kind === 'series'
        ? {
            recurrence: {
              pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'] },
              range: {
                type: 'numbered',
                startDate: timesOf(0).start.dateTime.slice(0, 10),
                numberOfOccurrences: 6,
              },
            },
          }
        : {};
    const event = await persist(() =>
      gateway.createEvent(mailbox(organizer), {
        subject: `Chaos ${index}`,
        body: { contentType: 'html', content: `<p>agenda ${index}</p>` },
        location: { displayName: locationOf(kind, index) },
        attendees: [{ emailAddress: { address: mails.get(attendee) } }],
        ...(kind === 'series' ? timesOf(0) : timesOf(index)),
        ...series,
      }),
    );
    const entry = {
      organizer,
      id: event.id,
      kind,
      deleted: false,
      decoratedBeforeDeletion: false,
      edited: false,
    };
    made.push(entry);
    return entry;
  };

  // The fault mix.
  stack.graph.limiter.settings = {
    ...stack.graph.limiter.settings,
    throttleRate: 0.15,
    serverErrorRate: 0.15,
    latencyMs: 3,
    retryAfterSeconds: 0.02,
  };
  stack.graph.subscriptions.dropRate = 0.2;
  stack.graph.subscriptions.duplicateRate = 0.2;
  stack.webex.serverErrorRate = 0.3;
  stack.graph.limiter.reset();
  stack.graph.requestCounts.clear();

  // Most events while Graph and Webex fail now and then; the rest during the Webex outage below.
  const beforeOutage = Math.floor(size.events * 0.9);
  const series = await create(0, 'series');
  for (let index = 1; index < beforeOutage; index += 1) await create(index, kindOf(index));
  await settle();

  // The series' third occurrence moves by an hour: an exception.
  const window = { from: new Date(startedAt - 7 * dayMs), to: new Date(startedAt + 31 * dayMs) };
  const occurrences = await persist(() =>
    gateway.listInstances(mailbox(series.organizer), series.id, window),
  );
  const moved = occurrences[2];
  if (moved) {
    await persist(() =>
      gateway.updateEvent(mailbox(series.organizer), moved.id, {
        subject: 'Chaos series, moved',
        ...timesOf(2, 1),
      }),
    );
    countOwnPatch(series.organizer);
    series.edited = true;
  }

  // Edits of subject and time, and deletions.
  for (const [position, entry] of made.entries()) {
    if (entry.kind === 'series') continue;
    if (position % 7 === 1) await edit(entry, { subject: `Chaos ${position}, renamed` });
    if (position % 11 === 2) await edit(entry, timesOf(position, 2));
  }
  await settle();
  for (const [position, entry] of made.entries()) {
    if (entry.kind === 'series' || position % 9 !== 4) continue;
    const before = await persist(() => gateway.getEvent(mailbox(entry.organizer), entry.id));
    entry.decoratedBeforeDeletion = (before.body?.content?.match(joinBlockPattern)?.length ?? 0) > 0;
    await persist(() => gateway.deleteEvent(mailbox(entry.organizer), entry.id));
    entry.deleted = true;
  }
  // Keyword events deleted before any notification of them goes out: never to be decorated.
  stack.graph.subscriptions.hold();
  for (let index = 0; index < 2; index += 1) {
    const entry = await create(size.events + index, 'webex');
    await persist(() => gateway.deleteEvent(mailbox(entry.organizer), entry.id));
    entry.deleted = true;
  }
  stack.graph.subscriptions.release();
  await settle();

  // One mailbox leaves Exchange Online with changes of it on their way, and comes back 20 minutes later.
  const goneUser = users[1] as string;
  stack.graph.subscriptions.hold();
  for (const entry of made
    .filter((candidate) => candidate.organizer === goneUser && !candidate.deleted)
    .slice(0, 3))
    await edit(entry, { subject: 'Edited before the mailbox went' });
  await persist(() => control(`/mailboxes/${goneUser}/gone`));
  stack.graph.subscriptions.release();
  await settle();
  await passTime(20 * minuteMs);
  await persist(() => control(`/mailboxes/${goneUser}/restore`));

  // A 30-minute Webex outage, with the last events made as it starts.
  stack.webex.serverErrorRate = 1;
  for (let index = beforeOutage; index < size.events; index += 1) await create(index, kindOf(index));
  await settle();
  await passTime(30 * minuteMs);
  stack.webex.serverErrorRate = 0.3;

  // A user's delta token stops working, and Graph says `missed` twice, a second apart.
  const resyncUser = users[2] as string;
  await persist(() => control(`/mailboxes/${resyncUser}/invalidate-delta`));
  const subscription = [...stack.graph.subscriptions.subscriptions.values()].find(
    (candidate) => candidate.mailboxId === resyncUser,
  );
  if (!subscription) throw new Error(`user ${resyncUser} has no subscription`);
  await persist(() => control(`/subscriptions/${subscription.id}/lifecycle`, { lifecycleEvent: 'missed' }));
  stack.clock.advanceBy(1000);
  await persist(() => control(`/subscriptions/${subscription.id}/lifecycle`, { lifecycleEvent: 'missed' }));
  await settle();

  // The faults end; one reconciliation period passes, the 5-minute timers running as the clock passes each tick.
  stack.graph.limiter.settings = {
    ...stack.graph.limiter.settings,
    throttleRate: 0,
    serverErrorRate: 0,
    latencyMs: 0,
  };
  stack.graph.subscriptions.dropRate = 0;
  stack.graph.subscriptions.duplicateRate = 0;
  stack.webex.serverErrorRate = 0;
  const timerContext = (functionName: string) =>
    new InvocationContext({ functionName, invocationId: crypto.randomUUID(), logHandler: () => undefined });
  for (let elapsed = 0; elapsed <= reconciliationPeriodMs; elapsed += reconciliationTickMs) {
    stack.clock.advanceBy(reconciliationTickMs);
    stack.bus.releaseDueMessages();
    await errorRetryFunction.handle(stack.services.watch, timerContext('errorRetry'));
    await reconciliationFunction.handle(stack.services.watch, timerContext('reconciliation'));
    await settle();
  }
  stack.bus.schedule = schedule;
  stack.services.calendar.updateEvent = updateEvent;

  return { figures: await figuresOf(), problems: await problemsOf() };

  async function problemsOf(): Promise<string[]> {
    const problems: string[] = [];
    const keywordKinds: Kind[] = ['webex', 'meet', 'series'];
    // Exactly one join block on every live keyword event, none on the others.
    for (const entry of made.filter((candidate) => !candidate.deleted)) {
      const event = await gateway.getEvent(mailbox(entry.organizer), entry.id);
      const blocks = event.body?.content?.match(joinBlockPattern)?.length ?? 0;
      const expected = keywordKinds.includes(entry.kind) ? 1 : 0;
      if (blocks !== expected)
        problems.push(
          `${entry.kind} event ${entry.id} of ${entry.organizer}: ${blocks} join blocks, expected ${expected}`,
        );
    }
    // One decorating PATCH per keyword event: every PATCH Graph served, the test's own aside, is a
    // decoration the event's trace records, and each keyword event has exactly one (a rewrite is
    // excepted only after the test changed that event).
    const { byEvent, byUser } = await decorationsSince();
    for (const user of users) {
      const served = stack.graph.limiter.stats.get(user)?.byOperation['PATCH event'] ?? 0;
      const own = ownPatchesBy.get(user) ?? 0;
      const traced = byUser.get(user) ?? 0;
      const conflicts = conflictsBy.get(user) ?? 0;
      if (served - own - conflicts !== traced)
        problems.push(
          `mailbox ${user}: ${served} PATCHes served, ${own} the test's own, ${conflicts} answered 412, but ${traced} decorations traced; traces: ${await tracesOf(user)}`,
        );
    }
    for (const entry of made) {
      const writes = byEvent.get(`${entry.organizer} ${keyOf(entry.id)}`) ?? 0;
      const keyword = keywordKinds.includes(entry.kind);
      const expected = keyword && (!entry.deleted || entry.decoratedBeforeDeletion) ? 1 : 0;
      const allowed = expected === 1 && entry.edited ? Number.POSITIVE_INFINITY : expected;
      if (writes < expected || writes > allowed)
        problems.push(
          `${entry.kind}${entry.deleted ? ' (deleted)' : ''} event ${entry.id} of ${entry.organizer}: ${writes} decorating PATCHes, expected ${expected}; traces: ${await tracesOf(entry.organizer)}`,
        );
    }
    // Records: one for every live event and occurrence in the window, none for anything else.
    const now = stack.clock.now().getTime();
    const recordWindow = { from: new Date(now - 7 * dayMs), to: new Date(now + 31 * dayMs) };
    const records = await stack.services.store
      .collection(meetingRecords)
      .queryAll({ text: 'SELECT * FROM c' });
    const recordIds = new Set(records.map((record) => `${record.userId} ${record.id}`));
    const liveIds = new Set<string>();
    for (const user of users) {
      const live: GraphEvent[] = await gateway.calendarView(mailbox(user), recordWindow);
      for (const event of live) {
        if (event.isCancelled) continue;
        const id = `${user} ${keyOf(event.id)}`;
        liveIds.add(id);
        if (!recordIds.has(id))
          problems.push(`live event ${event.id} of ${user} ("${event.subject}") has no record`);
      }
    }
    const deletedIds = new Set(
      made.filter((entry) => entry.deleted).map((entry) => `${entry.organizer} ${keyOf(entry.id)}`),
    );
    for (const id of recordIds) {
      if (deletedIds.has(id)) problems.push(`deleted event's record ${id} is still there`);
      else if (!liveIds.has(id) && users.some((user) => id.startsWith(`${user} `)))
        problems.push(`record ${id} has no live event`);
    }
    for (const dead of stack.bus.deadLetterQueue('event-changes'))
      if (transientCauses.has(dead.deadLetterReason))
        problems.push(
          `event-changes dead letter ${dead.messageId} for a transient cause: ${dead.deadLetterReason} (${dead.deadLetterErrorDescription})`,
        );
    return problems;
  }

  /** The organiser's keyword events' traces, for a report that names what happened to which. */
  async function tracesOf(user: string): Promise<string> {
    const lines: string[] = [];
    for (const entry of made.filter(
      (candidate) => candidate.organizer === user && candidate.kind !== 'plain',
    )) {
      const trace = await stack.services.store.collection(eventTraces).read(keyOf(entry.id), user);
      const steps = trace?.value.entries.map(
        (line) => `${line.source}/${line.changeType}:${line.outcome}${line.graph ? `(${line.graph})` : ''}`,
      );
      lines.push(
        `${entry.kind}${entry.deleted ? ' (deleted)' : ''} ${entry.id}: ${steps?.join(' ') ?? 'no trace'}`,
      );
    }
    return lines.join(' | ');
  }

  /** Decorations traced since the scenario began, by event (`user key`) and by user. */
  async function decorationsSince(): Promise<{ byEvent: Map<string, number>; byUser: Map<string, number> }> {
    const since = new Date(startedAt).toISOString();
    const byEvent = new Map<string, number>();
    const byUser = new Map<string, number>();
    for (const trace of await stack.services.store
      .collection(eventTraces)
      .queryAll({ text: 'SELECT * FROM c' })) {
      const writes = trace.entries.filter((line) => line.outcome === 'decorated' && line.at >= since).length;
      if (writes === 0) continue;
      byEvent.set(`${trace.userId} ${trace.id}`, writes);
      byUser.set(trace.userId, (byUser.get(trace.userId) ?? 0) + writes);
    }
    return { byEvent, byUser };
  }

  async function figuresOf(): Promise<ChaosFigures> {
    const mailboxStats = [...stack.graph.limiter.stats.values()];
    const deadLetters: Record<string, number> = {};
    for (const queue of stack.bus.queueNames())
      for (const dead of stack.bus.deadLetterQueue(queue)) {
        const key = `${queue}: ${dead.deadLetterReason}`;
        deadLetters[key] = (deadLetters[key] ?? 0) + 1;
      }
    const operations = new Map<string, number>();
    for (const stats of mailboxStats)
      for (const [operation, count] of Object.entries(stats.byOperation))
        operations.set(operation, (operations.get(operation) ?? 0) + count);
    const conflicts = [...conflictsBy.values()].reduce((sum, count) => sum + count, 0);
    const ownPatches = [...ownPatchesBy.values()].reduce((sum, count) => sum + count, 0);
    const totalPatches = mailboxStats.reduce(
      (sum, stats) => sum + (stats.byOperation['PATCH event'] ?? 0),
      0,
    );
    const { byEvent } = await decorationsSince();
    const madeKeys = new Set(made.map((entry) => `${entry.organizer} ${keyOf(entry.id)}`));
    let rewrites = 0;
    let otherEventsDecorated = 0;
    for (const [key, writes] of byEvent) {
      if (madeKeys.has(key)) rewrites += Math.max(0, writes - 1);
      else otherEventsDecorated += writes;
    }
    return {
      events: made.length,
      keywordEvents: made.filter((entry) => entry.kind !== 'plain').length,
      users: users.length,
      decoratingPatches: totalPatches - ownPatches - conflicts,
      conflicts,
      ownPatches,
      rewrites,
      otherEventsDecorated,
      retriesScheduled,
      deadLetters,
      graphRequests: Object.fromEntries([...operations].sort(([, a], [, b]) => b - a)),
      decoratedKeywordEvents: made.filter(
        (entry) => entry.kind !== 'plain' && (!entry.deleted || entry.decoratedBeforeDeletion),
      ).length,
      injectedGraphFaults: mailboxStats.reduce(
        (sum, stats) => sum + stats.throttled + stats.injectedErrors,
        0,
      ),
      notifications: {
        dropped: stack.graph.subscriptions.stats.dropped,
        duplicated: stack.graph.subscriptions.stats.duplicated,
        delivered: stack.graph.subscriptions.stats.delivered,
      },
      simulatedMs: stack.clock.now().getTime() - startedAt,
    };
  }
}
