import { percentile } from './measure.js';
import { startStackProcess } from './stackProcess.js';

/** Listing 200 meetings (decryption included) through the local stack's HTTP API: p50 and p99. */
export async function benchMeetingsList(tlsDir: string): Promise<string[]> {
  const stack = await startStackProcess(tlsDir);
  try {
    const { endpoints } = stack;
    const graphToken = await fetch(endpoints.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: endpoints.clientId,
        client_secret: endpoints.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const headers = {
      authorization: `Bearer ${((await graphToken.json()) as { access_token: string }).access_token}`,
      'content-type': 'application/json',
    };
    const user = endpoints.users.find((candidate) => candidate.preferredLanguage === 'ja-JP');
    if (!user) throw new Error('no demo user');
    for (let index = 0; index < 200; index += 1) {
      const day = new Date(Date.now() + (1 + (index % 28)) * 86_400_000).toISOString().slice(0, 10);
      const hour = String(7 + (index % 10)).padStart(2, '0');
      await fetch(`${endpoints.graph}/users/${user.id}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          subject: `Meeting ${index}`,
          body: { contentType: 'html', content: `<p>${'Agenda item. '.repeat(40)}</p>` },
          location: { displayName: index % 2 === 0 ? '@webex' : 'Room 4' },
          attendees: [
            { emailAddress: { address: 'alice@contoso.example' } },
            { emailAddress: { address: 'bjorn@contoso.example' } },
          ],
          start: { dateTime: `${day}T${hour}:${index % 2 === 0 ? '00' : '30'}:00`, timeZone: 'UTC' },
          end: { dateTime: `${day}T${hour}:${index % 2 === 0 ? '25' : '55'}:00`, timeZone: 'UTC' },
        }),
      });
    }
    const userToken = (
      (await (
        await fetch(`${endpoints.graphControl}/tokens/api`, {
          method: 'POST',
          body: JSON.stringify({ user: user.mail }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const url = `${endpoints.api}/users/${user.id}/meetings`;
    const list = async () =>
      (
        (await (await fetch(url, { headers: { authorization: `Bearer ${userToken}` } })).json()) as {
          meetings: unknown[];
        }
      ).meetings.length;
    for (let waited = 0; (await list()) < 200 && waited < 60_000; waited += 250)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const count = await list();
    for (let warm = 0; warm < 10; warm += 1) await list();
    const latencies: number[] = [];
    for (let run = 0; run < 100; run += 1) {
      const started = performance.now();
      await list();
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    return [
      `meetings list: ${count} meetings per call, 100 calls   p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    ];
  } finally {
    await stack.stop();
  }
}
