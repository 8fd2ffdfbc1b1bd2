import { startThrowawayStack } from '../dev/localStack.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../shared/crypto/envelopeEncryption.js';
import { type MeetingDetails, meetingDetailsSchema } from '../shared/meetings/meetingRecord.js';

/** Envelope encryption: records sealed and opened per second, and key unwraps per 1,000 records. */
export async function benchRecords(tlsDir: string): Promise<string[]> {
  const stack = await startThrowawayStack(tlsDir);
  try {
    const ring = new DataKeyRing({
      wrapper: stack.services.keyWrapper,
      keys: stack.services.store.collection(dataKeys),
      clock: stack.clock,
    });
    const cipher = new EnvelopeCipher(ring);
    const users = Array.from({ length: 10 }, (_, index) => `bench-user-${index}`);
    const details: MeetingDetails = {
      eventId: 'AAMkAG-bench=',
      seriesMasterId: null,
      subject: 'Quarterly planning with the regional teams',
      agenda: 'Agenda: '.padEnd(2_000, 'x'),
      isAllDay: false,
      isOrganizer: true,
      responseStatus: 'organizer',
      organizer: { name: 'Alice Anderson', address: 'alice@contoso.example' },
      invitees: Array.from({ length: 8 }, (_, index) => ({
        name: `Person ${index}`,
        address: `person${index}@contoso.example`,
        type: 'required',
        response: 'accepted',
      })),
      join: { link: 'https://contoso.webex.com/meet/alice', sipAddress: 'alice@contoso.webex.com' },
    };
    // First touch makes and wraps each user's data key; then a fresh ring reads them back.
    for (const user of users) await cipher.seal(user, 'warm-up', details);
    const reading = new DataKeyRing({
      wrapper: stack.services.keyWrapper,
      keys: stack.services.store.collection(dataKeys),
      clock: stack.clock,
    });
    const readingCipher = new EnvelopeCipher(reading);
    const count = 1_000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const user = users[index % users.length] as string;
        const sealed = await readingCipher.seal(user, `record-${index}`, details);
        await readingCipher.open(user, `record-${index}`, sealed, meetingDetailsSchema);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return [
      `records: ${count} sealed+opened (about 3 KB each, ${users.length} users) ${(count / seconds).toFixed(0)}/s   key unwraps ${reading.stats.unwraps} per ${count} records (${users.length} data keys, 10-minute cache), cache hits ${reading.stats.cacheHits}`,
    ];
  } finally {
    await stack.stop();
  }
}
