import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunningLocalStack } from '../../dev/localStack.js';
import type { GraphEvent } from '../../shared/adapters/graph/graphModels.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import { eventTraces } from '../../shared/meetings/eventTrace.js';
import { currentJoinBlock } from '../../shared/meetings/joinBlock.js';
import { keyOf, meetingDetailsSchema, meetingRecords } from '../../shared/meetings/meetingRecord.js';
import { allContainerLayouts } from '../../shared/store/containers.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { markerPropertyId, readMarker } from '../support/graphEventMarker.js';
import { advanceClocks, startInProcessStack } from '../support/inProcessStack.js';

// Event processing with its real consumers: the Graph and Webex simulators, Cosmos, the in-process
// bus. Events are made through Graph, as an Outlook client would make them.
let stack: RunningLocalStack;
let tenantId: string;
const alice = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
const bjorn = '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02';
const ayse = '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03';
const kenji = '1e0d4b8a-0004-4c3f-9a7e-5b6c7d8e9f04';

const mailbox = (userId: string): MailboxRef => ({ tenantId, userId });

// The stack's simulators draw injected faults from TEST_FAULT_SEED; a failure prints the seed.
seedFaultsForEachTest(() => [stack?.graph, stack?.webex]);

/** Waits until the bus and the simulator's notifications are both quiet. */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await stack.graph.subscriptions.settle();
    await stack.bus.idle();
  }
}

function slot(daysAhead: number, hour = 9) {
  const day = new Date(stack.clock.now().getTime() + daysAhead * 86_400_000).toISOString().slice(0, 10);
  return {
    start: { dateTime: `${day}T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'UTC' },
    end: { dateTime: `${day}T${String(hour).padStart(2, '0')}:30:00`, timeZone: 'UTC' },
  };
}

async function create(organizer: string, event: Record<string, unknown>): Promise<GraphEvent> {
  const created = await stack.services.calendar.createEvent(mailbox(organizer), event);
  await settle();
  return stack.services.calendar.getEvent(mailbox(organizer), created.id, {
    extendedPropertyIds: [markerPropertyId],
  });
}

function patchCount(userId: string): number {
  return stack.graph.limiter.stats.get(userId)?.byOperation['PATCH event'] ?? 0;
}

async function recordOf(userId: string, eventId: string) {
  const stored = await stack.services.store.collection(meetingRecords).read(keyOf(eventId), userId);
  if (!stored) return undefined;
  return {
    record: stored.value,
    details: await stack.services.meetings.cipher.open(
      userId,
      stored.value.id,
      stored.value.sealed,
      meetingDetailsSchema,
    ),
  };
}

async function copyOf(userId: string, iCalUId: string | null | undefined): Promise<GraphEvent | undefined> {
  const view = await stack.services.calendar.calendarView(mailbox(userId), {
    from: new Date(stack.clock.now().getTime() - 86_400_000),
    to: new Date(stack.clock.now().getTime() + 40 * 86_400_000),
  });
  return view.find((event) => event.iCalUId === iCalUId);
}

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.graph.tenant.tenantId;
});

afterAll(async () => {
  await stack?.stop();
});

describe('event processing', () => {
  it('when an organiser puts @webex in Location, then the invitation gets one join block in their language, written once', async () => {
    const before = patchCount(bjorn);
    const event = await create(bjorn, {
      subject: 'Planering Q1',
      body: { contentType: 'html', content: '<html><body><p>Agenda: budget</p></body></html>' },
      location: { displayName: '@webex' },
      attendees: [
        { emailAddress: { address: 'alice@contoso.example' } },
        { emailAddress: { address: 'ayse@contoso.example' } },
      ],
      ...slot(2),
    });

    const block = currentJoinBlock({ contentType: 'html', content: event.body?.content ?? '' }) ?? '';
    expect(block).toContain('Anslut till Webex-mötet');
    expect(block).toContain('https://contoso.webex.com/meet/bjorn');
    expect(event.body?.content?.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect(event.body?.content).toContain('<p>Agenda: budget</p>');
    expect(readMarker(event)).toMatchObject({ kind: 'personal-room', lang: 'sv' });
    expect(patchCount(bjorn) - before).toBe(1);
    for (const attendee of [alice, ayse]) {
      const copy = await copyOf(attendee, event.iCalUId);
      const own = await recordOf(attendee, copy?.id ?? '');
      expect(own?.details).toMatchObject({
        subject: 'Planering Q1',
        isOrganizer: false,
        join: { link: 'https://contoso.webex.com/meet/bjorn', sipAddress: 'bjorn@contoso.webex.com' },
      });
    }
    expect((await recordOf(bjorn, event.id))?.details.isOrganizer).toBe(true);
  });

  it('when the subject changes afterwards, then there is still one block and no second PATCH', async () => {
    const event = await create(alice, {
      subject: 'Review',
      location: { displayName: '@WebEx' },
      attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
      ...slot(3),
    });
    const patchesAfterDecoration = patchCount(alice);

    await stack.services.calendar.updateEvent(mailbox(alice), event.id, { subject: 'Review (moved agenda)' });
    await settle();
    const after = await stack.services.calendar.getEvent(mailbox(alice), event.id);

    expect(patchCount(alice)).toBe(patchesAfterDecoration + 1);
    expect(after.body?.content?.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect((await recordOf(alice, event.id))?.details.subject).toBe('Review (moved agenda)');
  });

  it('when the keyword is removed, then the block is removed; a Teams block stays throughout', async () => {
    const teams =
      '<div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0">Join the meeting now</a></div>';
    const event = await create(kenji, {
      subject: 'Mixed',
      body: { contentType: 'html', content: `<html><body>${teams}</body></html>` },
      location: { displayName: '@webex' },
      ...slot(4),
    });

    await stack.services.calendar.updateEvent(mailbox(kenji), event.id, {
      location: { displayName: 'Room 12' },
    });
    await settle();
    const after = await stack.services.calendar.getEvent(mailbox(kenji), event.id, {
      extendedPropertyIds: [markerPropertyId],
    });

    expect(event.body?.content).toContain(teams);
    expect(event.body?.content).toContain('Webex ミーティングに参加');
    expect(after.body?.content).toBe(`<html><body>${teams}</body></html>`);
    expect(readMarker(after)?.kind).toBe('none');
    expect((await recordOf(kenji, event.id))?.details.join?.link).toMatch(
      /^https:\/\/teams\.microsoft\.com\//,
    );
  });

  it('when @meet is used, then a Webex space with the invitees is made and its meeting written in', async () => {
    const roomsBefore = stack.webex.rooms.size;
    const event = await create(ayse, {
      subject: 'Proje',
      location: { displayName: '@meet' },
      attendees: [
        { emailAddress: { address: 'bjorn@contoso.example' } },
        { emailAddress: { address: 'boardroom@contoso.example' }, type: 'resource' },
      ],
      ...slot(5),
    });

    const room = [...stack.webex.rooms.values()].at(-1);
    expect(stack.webex.rooms.size).toBe(roomsBefore + 1);
    expect(room?.members).toEqual(['bjorn@contoso.example']);
    expect(event.body?.content).toContain('Webex toplantısına katılın');
    expect(event.body?.content).toMatch(/https:\/\/contoso\.webex\.com\/m\/\d+/);
    // The record, and so the meetings list, carries the space meeting's join link (a record write
    // that met a passing failure is scheduled again, so wait for it rather than assume it).
    await expect
      .poll(async () => (await recordOf(ayse, event.id))?.details.join?.link, { timeout: 15_000 })
      .toMatch(/^https:\/\/contoso\.webex\.com\/m\/\d+$/);
  });

  it('when an @meet meeting gains an invitee, then the invitee joins the space and the event is not written again', async () => {
    const event = await create(bjorn, {
      subject: 'Sprint',
      location: { displayName: '@meet' },
      attendees: [{ emailAddress: { address: 'alice@contoso.example' } }],
      ...slot(9),
    });
    const spaceId = readMarker(event)?.spaceId ?? '';
    const patches = patchCount(bjorn);

    await stack.services.calendar.updateEvent(mailbox(bjorn), event.id, {
      attendees: [
        { emailAddress: { address: 'alice@contoso.example' } },
        { emailAddress: { address: 'kenji@contoso.example' } },
      ],
    });
    await settle();

    expect(stack.webex.rooms.get(spaceId)?.members).toEqual([
      'alice@contoso.example',
      'kenji@contoso.example',
    ]);
    expect(patchCount(bjorn)).toBe(patches + 1);
  });

  it('when a recurring series asks for @webex, then the master is decorated and each occurrence in the window gets a record', async () => {
    const start = slot(1, 14);
    const series = await create(alice, {
      subject: 'Weekly sync',
      location: { displayName: '@webex' },
      ...start,
      recurrence: {
        pattern: {
          type: 'weekly',
          interval: 1,
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].slice(
            0,
            7,
          ),
        },
        range: { type: 'numbered', startDate: start.start.dateTime.slice(0, 10), numberOfOccurrences: 10 },
      },
    });
    const window = {
      from: new Date(stack.clock.now().getTime() - 7 * 86_400_000),
      to: new Date(stack.clock.now().getTime() + 31 * 86_400_000),
    };
    const instances = await stack.services.calendar.listInstances(mailbox(alice), series.id, window);

    expect(series.body?.content?.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect(instances).toHaveLength(10);
    for (const instance of instances)
      expect((await recordOf(alice, instance.id))?.details.join?.link).toBe(
        'https://contoso.webex.com/meet/alice',
      );

    await stack.services.calendar.deleteEvent(mailbox(alice), instances[3]?.id ?? '');
    await settle();
    expect(await recordOf(alice, instances[3]?.id ?? '')).toBeUndefined();
    expect(await recordOf(alice, instances[4]?.id ?? '')).toBeDefined();
  });

  it('when an event is deleted, then its records go, and the trace says why without personal data', async () => {
    const event = await create(bjorn, {
      subject: 'Kort möte hemligt',
      location: { displayName: '@webex' },
      attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
      ...slot(6),
    });
    const copy = await copyOf(kenji, event.iCalUId);

    await stack.services.calendar.deleteEvent(mailbox(bjorn), event.id);
    await settle();
    const trace = await stack.services.store.collection(eventTraces).read(keyOf(event.id), bjorn);

    expect(await recordOf(bjorn, event.id)).toBeUndefined();
    expect(await recordOf(kenji, copy?.id ?? '')).toBeUndefined();
    expect(trace?.value.entries.map((entry) => entry.outcome)).toEqual(['decorated', 'removed']);
    expect(JSON.stringify(trace?.value)).not.toMatch(/hemligt|contoso\.example|webex\.com/);
  });

  it('when every document in Cosmos is read, then no address, subject, body text or join URL is in clear', async () => {
    const secrets = [
      'alice@contoso.example',
      'bjorn@contoso.example',
      'ayse@contoso.example',
      'Planering',
      'Agenda: budget',
      'contoso.webex.com',
      'Weekly sync',
      'Proje',
    ];
    const documents: unknown[] = [];
    for (const layout of allContainerLayouts) {
      documents.push(
        ...(await stack.services.store
          .collection({ ...layout, schema: z.object({ id: z.string() }).loose() })
          .queryAll({ text: 'SELECT * FROM c' })),
      );
    }
    const text = JSON.stringify(documents);

    expect(documents.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('when a record is opened with another record’s id, then it refuses (the id is bound in)', async () => {
    const [record] = await stack.services.store
      .collection(meetingRecords)
      .queryPartition(bjorn, { text: 'SELECT * FROM c' });

    await expect(
      stack.services.meetings.cipher.open(
        bjorn,
        `${record?.id}x`,
        record?.sealed as never,
        meetingDetailsSchema,
      ),
    ).rejects.toMatchObject({ code: 'key-unwrap-failed' });
  });

  it('when Webex is down, then the event is left untouched and decorated once Webex is back', async () => {
    stack.webex.serverErrorRate = 1;
    const created = await stack.services.calendar.createEvent(mailbox(kenji), {
      subject: 'Outage',
      location: { displayName: '@webex' },
      ...slot(8),
    });
    await settle();
    const during = await stack.services.calendar.getEvent(mailbox(kenji), created.id);
    const scheduled = stack.bus.scheduledMessageCount('event-changes');
    stack.webex.serverErrorRate = 0;

    advanceClocks(stack, 6_000);
    await expect
      .poll(
        async () =>
          (await stack.services.calendar.getEvent(mailbox(kenji), created.id)).body?.content?.includes(
            'data-hybrid-calendar-join',
          ),
        { timeout: 5_000 },
      )
      .toBe(true);

    expect(during.body?.content ?? '').not.toContain('data-hybrid-calendar-join');
    expect(scheduled).toBeGreaterThanOrEqual(1);
    expect(stack.bus.deadLetterQueue('event-changes')).toEqual([]);
  });

  it('when the tenant sets a default language, then a mailbox without a supported one gets it', async () => {
    await stack.services.tenants.upsert({
      id: tenantId,
      settings: { defaultLanguage: 'de' },
      updatedAt: new Date().toISOString(),
    });
    stack.services.tenantSettings.forget(tenantId);
    const room = '1e0d4b8a-0101-4c3f-9a7e-5b6c7d8e9f11';
    await stack.services.watch.users.update({ tenantId, userId: room }, (user) => ({
      ...user,
      language: 'pt-BR',
    }));

    const event = await create(room, {
      subject: 'Room booking',
      location: { displayName: '@webex' },
      ...slot(7),
    });

    expect(event.body?.content).toContain('An der Webex-Besprechung teilnehmen');
  });
});
