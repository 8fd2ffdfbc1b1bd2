import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStackProcess, startLocalStackProcess } from '../support/localStackProcess.js';

// A plain HTTP client, knowing only .local/endpoints.json, uses the stack's Graph the way any Graph
// client would: a token by client credentials, then create, read, update and delete an event.
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startLocalStackProcess();
});

afterAll(async () => {
  await stack?.stop();
});

describe('Graph through the running local stack', () => {
  it('when a client gets a token by client credentials, then it can create, read, update and delete an event', async () => {
    const { tokenEndpoint, clientId, clientSecret, graph, users } = stack.endpoints;
    const tokenResponse = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const { access_token: accessToken, token_type: tokenType } = (await tokenResponse.json()) as {
      access_token: string;
      token_type: string;
    };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const organizer = users.find((user) => user.preferredLanguage === 'sv-SE');
    const base = `${graph}/users/${organizer?.id}/events`;

    const created = await fetch(base, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        subject: 'Planering',
        start: { dateTime: '2026-12-02T09:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-12-02T09:30:00', timeZone: 'W. Europe Standard Time' },
        location: { displayName: '@webex' },
      }),
    });
    const event = (await created.json()) as {
      id: string;
      subject: string;
      start: { dateTime: string; timeZone: string };
      '@odata.etag': string;
    };
    const read = await fetch(`${base}/${event.id}`, { headers });
    const updated = await fetch(`${base}/${event.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ subject: 'Planering (flyttad)' }),
    });
    const deleted = await fetch(`${base}/${event.id}`, { method: 'DELETE', headers });
    const gone = await fetch(`${base}/${event.id}`, { headers });

    expect(tokenResponse.status).toBe(200);
    expect(tokenType).toBe('Bearer');
    expect(created.status).toBe(201);
    expect(event).toMatchObject({
      subject: 'Planering',
      start: { dateTime: '2026-12-02T08:00:00.0000000', timeZone: 'UTC' },
    });
    expect(event['@odata.etag']).toMatch(/^W\/"/);
    expect(read.status).toBe(200);
    expect(((await updated.json()) as { subject: string }).subject).toBe('Planering (flyttad)');
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('ErrorItemNotFound');
  });

  it('when endpoints.json is read, then it names the demo tenant, its app and its users, rooms marked', () => {
    expect(stack.endpoints.graph).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    expect(stack.endpoints.authority).toBe(
      `${stack.endpoints.graph.replace(/\/v1\.0$/, '')}/${stack.endpoints.tenantId}`,
    );
    expect(stack.endpoints.users.filter((user) => user.isRoom)).toHaveLength(1);
    expect(new Set(stack.endpoints.users.map((user) => user.preferredLanguage))).toEqual(
      new Set(['en-US', 'sv-SE', 'tr-TR', 'ja-JP']),
    );
  });
});
