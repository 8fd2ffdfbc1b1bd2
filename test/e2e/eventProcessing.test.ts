import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  graphAppToken,
  type LocalStackProcess,
  startLocalStackProcess,
  waitUntilQuiet,
} from '../support/localStackProcess.js';

// Event processing through `npm start`: events made through Graph's API as a client would, results
// read back through Graph, the simulator's counters, the admin API and Cosmos itself.
let stack: LocalStackProcess;
let headers: Record<string, string>;
let graphBase: string;

interface SimulatorStats {
  mailboxes: Record<string, { byOperation: Record<string, number> }>;
}

async function stats(): Promise<SimulatorStats> {
  return (await (await fetch(`${graphBase}/_control/stats`)).json()) as SimulatorStats;
}

function userId(mail: string): string {
  return stack.endpoints.users.find((user) => user.mail === mail)?.id ?? '';
}

async function getEvent(
  mail: string,
  id: string,
): Promise<{ id: string; subject: string; body: { content: string }; iCalUId: string }> {
  return (await (
    await fetch(`${stack.endpoints.graph}/users/${mail}/events/${id}`, { headers })
  ).json()) as never;
}

beforeAll(async () => {
  stack = await startLocalStackProcess();
  graphBase = stack.endpoints.graph.replace(/\/v1\.0$/, '');
  const accessToken = await graphAppToken(stack.endpoints);
  headers = {
    authorization: `Bearer ${accessToken}`,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await stack?.stop();
});

describe('event processing through the running stack', () => {
  let eventId = '';
  const organizer = 'ayse@contoso.example';

  it('when an organiser invites two colleagues with @webex, then within 10 s the invitation carries one join block in Turkish', async () => {
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const created = await fetch(`${stack.endpoints.graph}/users/${organizer}/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        subject: 'Bütçe toplantısı',
        body: { contentType: 'html', content: '<html><body><p>Gündem: bütçe</p></body></html>' },
        location: { displayName: '@webex' },
        attendees: [
          { emailAddress: { address: 'alice@contoso.example' } },
          { emailAddress: { address: 'kenji@contoso.example' } },
        ],
        start: { dateTime: `${start}T10:00:00`, timeZone: 'Turkey Standard Time' },
        end: { dateTime: `${start}T11:00:00`, timeZone: 'Turkey Standard Time' },
      }),
    });
    eventId = ((await created.json()) as { id: string }).id;
    const started = Date.now();

    await expect
      .poll(
        async () => (await getEvent(organizer, eventId)).body.content.includes('data-hybrid-calendar-join'),
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    console.log(`created → decorated: ${Date.now() - started} ms`);
    const event = await getEvent(organizer, eventId);

    expect(event.body.content.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect(event.body.content).toContain('Webex toplantısına katılın');
    expect(event.body.content).toContain('<p>Gündem: bütçe</p>');
  });

  it('when the attendees’ lists are read, then both hold the meeting, sealed', async () => {
    const cosmos = new CosmosClient({
      endpoint: stack.endpoints.cosmos.endpoint,
      key: stack.endpoints.cosmos.key,
    });
    const container = cosmos.database(stack.endpoints.cosmos.database).container('meetings');
    try {
      for (const mail of ['alice@contoso.example', 'kenji@contoso.example']) {
        await expect
          .poll(
            async () => {
              const { resources } = await container.items
                .query(
                  {
                    query: 'SELECT * FROM c WHERE c.userId = @u',
                    parameters: [{ name: '@u', value: userId(mail) }],
                  },
                  { partitionKey: userId(mail) },
                )
                .fetchAll();
              return resources.filter((record: { userId: string }) => record.userId === userId(mail)).length;
            },
            { timeout: 10_000 },
          )
          .toBeGreaterThanOrEqual(1);
      }
    } finally {
      cosmos.dispose();
    }
  });

  it('when the subject changes, then there is still one block and no second decoration PATCH', async () => {
    const patchesBefore = (await stats()).mailboxes[userId(organizer)]?.byOperation['PATCH event'] ?? 0;

    await fetch(`${stack.endpoints.graph}/users/${organizer}/events/${eventId}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ subject: 'Bütçe toplantısı (güncel)' }),
    });
    await waitUntilQuiet(stack.endpoints);
    const after = await stats();
    const event = await getEvent(organizer, eventId);

    // The client's own PATCH is the only one: the service wrote nothing more.
    expect((after.mailboxes[userId(organizer)]?.byOperation['PATCH event'] ?? 0) - patchesBefore).toBe(1);
    expect(event.body.content.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
  });

  it('when every Cosmos document is scanned, then no attendee address, subject, body text or join URL is in clear', async () => {
    const cosmos = new CosmosClient({
      endpoint: stack.endpoints.cosmos.endpoint,
      key: stack.endpoints.cosmos.key,
    });
    const documents: unknown[] = [];
    try {
      const database = cosmos.database(stack.endpoints.cosmos.database);
      const { resources: containers } = await database.containers.readAll().fetchAll();
      for (const { id } of containers)
        documents.push(...(await database.container(id).items.query('SELECT * FROM c').fetchAll()).resources);
    } finally {
      cosmos.dispose();
    }
    const text = JSON.stringify(documents);

    expect(documents.length).toBeGreaterThan(5);
    for (const secret of [
      'alice@contoso.example',
      'kenji@contoso.example',
      'ayse@contoso.example',
      'Bütçe',
      'Gündem',
      'contoso.webex.com',
      'webex.com/meet',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('when an admin asks why, then the trace names the rule and the language', async () => {
    const token = (
      (await (
        await fetch(`${graphBase}/_control/tokens/api`, {
          method: 'POST',
          body: JSON.stringify({ user: 'alice@contoso.example' }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const url = `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/users/${userId(organizer)}/trace?eventId=${encodeURIComponent(eventId)}`;

    const trace = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      entries: Array<{ outcome: string; rule: string; language: string }>;
    };

    expect(trace.entries[0]).toMatchObject({ outcome: 'decorated', rule: 'keyword @webex', language: 'tr' });
  });
});
