import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconciliationSlotOf } from '../../shared/watch/reconciliationSlot.js';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
} from '../support/localStackProcess.js';

// Out-of-office presence through the running stack (`npm start`), moved only by its clock:
// a scheduled automatic reply set in Graph → presence changes at its exact start and end times.
let stack: LocalStackProcess;
let hostAdmin: string;
let graphToken: string;
const minute = 60_000;
/** The longest poll period: the user is polled once a day, so only the scheduled messages can act in between. */
const pollPeriodMs = 1_440 * minute;

interface PublishedChange {
  tenantId: string;
  userId: string;
  state: string;
  at: string;
  signal: string;
}

async function admin(path: string, body?: unknown): Promise<unknown> {
  const answer = await fetch(
    `${hostAdmin}${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
  expect(answer.ok).toBe(true);
  return answer.status === 204 ? undefined : answer.json().catch(() => undefined);
}

async function clockNow(): Promise<number> {
  return Date.parse(((await admin('/clock', { advanceMs: 0 })) as { now: string }).now);
}

async function moveClockTo(instantMs: number): Promise<void> {
  await admin('/clock', { advanceMs: Math.max(0, instantMs - (await clockNow())) });
}

async function published(): Promise<PublishedChange[]> {
  return ((await admin('/presence')) as { changes: PublishedChange[] }).changes;
}

async function scheduledTransitions(): Promise<number> {
  return ((await admin('/queues/presence-transitions')) as { scheduled: number }).scheduled;
}

/** Runs the poll timer now (the host answers once it has run) and waits for the bus to settle. */
async function poll(): Promise<void> {
  const run = await fetch(`${hostAdmin}/functions/presencePolling`, { method: 'POST', body: '{}' });
  expect(run.status).toBe(202);
  await admin('/bus/idle', {});
}

function utc(instantMs: number) {
  return { dateTime: new Date(instantMs).toISOString().slice(0, 19), timeZone: 'UTC' };
}

beforeAll(async () => {
  stack = await startLocalStackProcess({ env: { PRESENCE_POLL_MINUTES: String(pollPeriodMs / minute) } });
  hostAdmin = stack.endpoints.api.replace(/\/api$/, '/admin');
  graphToken = await graphAppToken(stack.endpoints);
});

afterAll(async () => {
  await stack?.stop();
});

describe('out-of-office presence through the running stack', () => {
  it('when a scheduled automatic reply is set, then out of office is published at its start and in office at its end, nothing in between', async () => {
    const user = stack.endpoints.users.find((candidate) => candidate.preferredLanguage === 'sv-SE');
    if (!user) throw new Error('the demo tenant has no sv-SE user');
    // The clock goes to just after the user's daily poll slot, so the poll run then reads them.
    const slot = reconciliationSlotOf(stack.endpoints.tenantId, user.id, pollPeriodMs);
    const before = await clockNow();
    let slotTime = before - (before % pollPeriodMs) + slot;
    if (slotTime < before) slotTime += pollPeriodMs;
    const now = slotTime + minute;
    const start = Math.ceil(now / minute) * minute + 10 * minute;
    const end = start + 60 * minute;
    const patched = await fetch(`${stack.endpoints.graph}/users/${user.id}/mailboxSettings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        automaticRepliesSetting: {
          status: 'scheduled',
          scheduledStartDateTime: utc(start),
          scheduledEndDateTime: utc(end),
        },
      }),
    });
    expect(patched.status).toBe(200);

    // The poll learns the window and schedules its start and end; nothing is published yet.
    await moveClockTo(now);
    await poll();
    expect(await scheduledTransitions()).toBe(2);
    expect(await published()).toEqual([]);

    // The start: no poll reads the user before tomorrow, so the scheduled message acts, at its time.
    await moveClockTo(start);
    await expect.poll(published, { timeout: 15_000, interval: 100 }).toHaveLength(1);
    expect(await scheduledTransitions()).toBe(1);

    // Half-way through, timers run: nothing new.
    await moveClockTo(start + 30 * minute);
    await poll();
    expect(await published()).toHaveLength(1);

    // The end.
    await moveClockTo(end);
    await expect.poll(published, { timeout: 15_000, interval: 100 }).toHaveLength(2);
    await admin('/bus/idle', {});
    expect(await scheduledTransitions()).toBe(0);

    const base = { tenantId: stack.endpoints.tenantId.toLowerCase(), userId: user.id.toLowerCase() };
    expect(await published()).toEqual([
      { ...base, state: 'out-of-office', at: new Date(start).toISOString(), signal: 'automatic-replies' },
      { ...base, state: 'in-office', at: new Date(end).toISOString(), signal: 'automatic-replies' },
    ]);
    // The console shows both, with object ids only.
    expect(stack.output()).toContain(`presence out-of-office tenant=${base.tenantId} user=${base.userId}`);
    expect(stack.output()).toContain(`presence in-office tenant=${base.tenantId} user=${base.userId}`);
    expect(stack.output()).not.toContain(user.mail);
  });
});
