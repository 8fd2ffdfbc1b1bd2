import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { InProcessBus } from '../dev/inProcessBus.js';
import { ensureLocalTls, type LocalTls, relaunchTrustingLocalCa } from '../dev/localTls.js';
import { WebexSimulator } from '../dev/webexSimulator.js';
import { WebexMessages } from '../shared/adapters/webex/webexMessages.js';
import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { Sealed } from '../shared/crypto/envelopeEncryption.js';
import { keyOf, type MeetingDetails, type MeetingRecord } from '../shared/meetings/meetingRecord.js';
import type { MeetingRecords } from '../shared/meetings/meetingRecords.js';
import { effectiveSettings } from '../shared/meetings/tenantSettings.js';
import { deliverJoinNotification } from '../shared/notifications/deliverJoinNotification.js';
import type { JoinDelivery, JoinDeliveryMarkers } from '../shared/notifications/joinDeliveries.js';
import { joinDueMessageSchema } from '../shared/notifications/joinMessages.js';
import type { JoinNotificationsContext } from '../shared/notifications/joinNotificationsContext.js';
import { JoinNotificationScheduler } from '../shared/notifications/joinScheduler.js';
import { Counters } from '../shared/observability/counters.js';
import { SeededRandom } from '../shared/random/seededRandom.js';
import { ManualClock } from '../shared/time/clock.js';
import { percentile } from './measure.js';

/** Records in memory: the bench measures scheduling and sending, not Cosmos DB (see bench/records.ts). */
class MemoryRecords implements MeetingRecords {
  readonly #records = new Map<string, MeetingRecord>();
  async find(userId: string, recordId: string) {
    return this.#records.get(`${userId}|${recordId}`);
  }
  async save(record: MeetingRecord) {
    this.#records.set(`${record.userId}|${record.id}`, record);
  }
  async remove(userId: string, recordId: string) {
    this.#records.delete(`${userId}|${recordId}`);
  }
  async occurrencesOf() {
    return [];
  }
  async between() {
    return [];
  }
  async bookingRoom() {
    return [];
  }
}

class MemoryMarkers implements JoinDeliveryMarkers {
  readonly #ids = new Set<string>();
  async claim(delivery: JoinDelivery) {
    if (this.#ids.has(delivery.id)) return false;
    this.#ids.add(delivery.id);
    return true;
  }
  async release(_tenantId: string, id: string) {
    this.#ids.delete(id);
  }
}

/** Encodes instead of encrypting: sealing has its own figures (bench/records.ts). */
const encodingCipher = {
  async seal(_userId: string, recordId: string, value: unknown): Promise<Sealed> {
    return {
      alg: 'A256GCM',
      dataKeyId: 'bench.1',
      iv: 'none',
      ciphertext: Buffer.from(JSON.stringify(value)).toString('base64'),
      tag: Buffer.from(recordId).toString('base64'),
    };
  },
  async open<T>(_userId: string, _recordId: string, sealed: Sealed, schema: z.ZodType<T>): Promise<T> {
    return schema.parse(JSON.parse(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')));
  },
};

const languages = ['en-US', 'sv-SE', 'tr-TR', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];

/**
 * 10,000 meetings of 1,000 users (each with an organiser and two invitees) starting within one hour,
 * on the quarter hours and the half hours most, as calendars do. All are scheduled through the
 * scheduler onto the in-process bus; then the simulated clock jumps from one due time to the next,
 * and every message is delivered through the real Webex messages adapter over HTTPS to the
 * simulator (16 concurrent calls, as host.json allows). Lateness is the real time from the moment
 * the clock reached the due time to the Webex call that told the person.
 */
export async function benchJoinNotifications(
  tls: LocalTls,
  options: { meetings?: number; users?: number } = {},
): Promise<string[]> {
  const meetings = options.meetings ?? 10_000;
  const users = options.users ?? 1_000;
  const webex = new WebexSimulator({ tls, port: 0 });
  await webex.start();
  const hourStart = new Date('2026-06-01T09:00:00Z');
  const clock = new ManualClock(new Date(hourStart.getTime() - 30 * 60_000));
  // The bench moves scheduled messages itself, at each jump of the clock.
  const bus = new InProcessBus({ clock, schedulerIntervalMs: 3_600_000 });
  try {
    const random = new SeededRandom(13);
    const pick = (count: number) => Math.floor(random.next() * count);
    const address = (user: number) => `user${user}@contoso.example`;
    const records = new MemoryRecords();
    const counters = new Counters();
    const webexMessages = new WebexMessages({ baseUrl: webex.baseUrl, accessToken: webex.accessToken });
    const lateness: number[] = [];
    const releasedAt = new Map<number, number>();
    const settings = effectiveSettings({ joinChannels: ['webex-message'] });
    const context: JoinNotificationsContext = {
      records,
      cipher: encodingCipher,
      tenantSettings: { get: async () => settings },
      bus,
      markers: new MemoryMarkers(),
      people: [
        {
          channel: 'webex-message',
          async notifyPerson(notice, recipient) {
            await webexMessages.notifyPerson(notice, recipient);
            const due = Date.parse(notice.start) - settings.leadTimeMinutes * 60_000;
            lateness.push(performance.now() - (releasedAt.get(due) ?? Number.NaN));
          },
        },
      ],
      integrations: [],
      rooms: { putBookings: async () => 'no-device' },
      tenantDomains: { verifiedDomainsOf: async () => ['contoso.example'] },
      languages: {
        localeOf: async (_tenant, mail) => languages[Number(/\d+/.exec(mail)?.[0] ?? 0) % languages.length],
      },
      clock,
      counters,
    };
    bus.subscribe(
      queueNames.joinNotifications,
      async (message) => {
        await deliverJoinNotification(context, joinDueMessageSchema.parse(message.body));
        return complete;
      },
      { maxConcurrentCalls: 16 },
    );

    // Meetings start on 5-minute marks; :00 and :30 take half of them, as calendars bunch there.
    const scheduler = new JoinNotificationScheduler(context);
    const scheduleStarted = performance.now();
    for (let i = 0; i < meetings; i++) {
      const slot = random.chance(0.5) ? (random.chance(0.5) ? 0 : 6) : pick(12);
      const start = new Date(hourStart.getTime() + slot * 5 * 60_000);
      const organizer = pick(users);
      const details: MeetingDetails = {
        eventId: `event-${i}`,
        seriesMasterId: null,
        subject: `Meeting ${i}`,
        agenda: '',
        isAllDay: false,
        isOrganizer: true,
        responseStatus: 'organizer',
        organizer: { name: `User ${organizer}`, address: address(organizer) },
        invitees: [1, 2].map((n) => ({
          name: null,
          address: address((organizer + n * 37) % users),
          type: 'required',
          response: 'accepted',
        })),
        join: {
          link: `https://contoso.webex.com/meet/user${organizer}`,
          sipAddress: `user${organizer}@contoso.webex.com`,
        },
      };
      const id = keyOf(`event-${i}`);
      const userId = `user-${organizer}`;
      const record: MeetingRecord = {
        id,
        userId,
        tenantId: 'bench-tenant',
        start: start.toISOString(),
        end: new Date(start.getTime() + 30 * 60_000).toISOString(),
        state: 'scheduled',
        seriesKey: null,
        ttl: 86_400,
        sealed: await encodingCipher.seal(userId, id, details),
        updatedAt: clock.now().toISOString(),
      };
      await records.save({ ...record, ...(await scheduler.beforeSave(record, details, undefined)) });
    }
    const scheduleMs = performance.now() - scheduleStarted;
    const scheduled = bus.scheduledMessageCount(queueNames.joinNotifications);

    const dueTimes = [
      ...new Set([...Array(12).keys()].map((slot) => hourStart.getTime() + slot * 5 * 60_000 - 5 * 60_000)),
    ].sort();
    const sendStarted = performance.now();
    for (const due of dueTimes) {
      clock.set(new Date(due));
      releasedAt.set(due, performance.now());
      bus.releaseDueMessages();
      await bus.idle();
    }
    const sendMs = performance.now() - sendStarted;
    lateness.sort((a, b) => a - b);
    const webexCalls = webex.calls.get('POST /v1/messages') ?? 0;
    const sent = counters.get('join.sent.webex-message');
    return [
      `join notifications: ${meetings} meetings, ${users} users, 1 hour   scheduled ${scheduled} messages in ${scheduleMs.toFixed(0)} ms (${((scheduled / scheduleMs) * 1000).toFixed(0)}/s)`,
      `join notifications: sent ${sent} Webex messages in ${sendMs.toFixed(0)} ms   lateness (send - due) p50 ${percentile(lateness, 50).toFixed(0)} ms  p99 ${percentile(lateness, 99).toFixed(0)} ms  max ${(lateness.at(-1) ?? 0).toFixed(0)} ms`,
      `join notifications: Webex calls per notification ${(webexCalls / Math.max(1, sent)).toFixed(3)} (${webexCalls} calls; duplicates ${counters.get('join.already-sent')})`,
    ];
  } finally {
    await bus.close();
    await webex.stop();
  }
}

async function main(): Promise<void> {
  const tls = await ensureLocalTls(resolve(process.env.LOCAL_STATE_DIR || '.local'));
  await relaunchTrustingLocalCa(tls.caCertPath);
  for (const line of await benchJoinNotifications(tls)) console.log(line);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
