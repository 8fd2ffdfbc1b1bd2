import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCloudEventEndpointsFunction } from '../../functions/adminCloudEventEndpoints.js';
import { CloudEventsPublisher } from '../../shared/adapters/cloudEvents/cloudEventsPublisher.js';
import type { ApiAuthenticator, Principal } from '../../shared/auth/apiAuthenticator.js';
import { AppError } from '../../shared/errors.js';
import { HttpRequest } from '../../shared/hosting/azureFunctionsRuntime.js';
import { answerHttpRequest } from '../../shared/hosting/functionDefinitions.js';
import {
  CloudEventEndpoints,
  cloudEventEndpointDocuments,
} from '../../shared/notifications/cloudEventEndpoints.js';
import { nothingWasDelivered } from '../../shared/notifications/deliveryFailures.js';
import type { JoinNotice } from '../../shared/notifications/joinNotifier.js';
import { Counters } from '../../shared/observability/counters.js';
import { ManualClock } from '../../shared/time/clock.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';
import { InMemoryWatchedUsers } from '../support/fakes/inMemoryWatchedUsers.js';
import { TransparentCipher } from '../support/fakes/transparentCipher.js';
import { buildInvocationContext } from '../support/invocationContext.js';

// Tenant-configured CloudEvents endpoints may not reach inside the service's network: refused when
// saved, refused again at send time after resolving the host, and a redirect is never followed.
const tenantId = '11111111-1111-4111-8111-111111111111';
const clock = new ManualClock('2026-11-23T08:55:00Z');
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const cosmosDatabase = freshCosmosDatabases();
const notice: JoinNotice = {
  tenantId,
  meetingKey: 'meeting-key-1',
  start: '2026-11-23T09:00:00.000Z',
  end: '2026-11-23T09:30:00.000Z',
  title: 'Quarterly review',
  organizerName: 'Alice',
  join: { link: 'https://contoso.webex.com/meet/alice', sipAddress: null },
};

const authenticator: ApiAuthenticator = {
  adminRole: 'HybridCalendar.Admin',
  async authenticate(authorization) {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new AppError('unauthenticated', 'A bearer token is required.');
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Principal;
  },
};
const principal: Principal = { tenantId, objectId: 'a11ce', roles: ['HybridCalendar.Admin'], isApp: false };
const authorization = `Bearer ${Buffer.from(JSON.stringify(principal)).toString('base64url')}`;

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    request.resume();
    request.on('end', () => {
      if (request.url === '/moved') response.writeHead(307, { location: `${base}/inside` }).end();
      else if (request.url === '/bad-request') response.writeHead(400).end();
      else if (request.url === '/unavailable') response.writeHead(503).end();
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('tenant CloudEvents endpoints and internal addresses', () => {
  it.each([
    'https://127.0.0.1/events',
    'https://localhost/events',
    'https://169.254.169.254/latest',
    'https://[fd00::1]/events',
    'https://[::ffff:127.0.0.1]/events',
  ])('when an admin saves %s, then 400 with the reason and nothing is stored', async (url) => {
    const store = await cosmosDatabase('cloudevents-guard', [cloudEventEndpointDocuments]);
    const endpoints = new CloudEventEndpoints({
      documents: store.collection(cloudEventEndpointDocuments),
      cipher: new TransparentCipher(),
      clock,
    });
    const request = new HttpRequest({
      method: 'PUT',
      url: `http://127.0.0.1:7071/api/admin/tenants/${tenantId}/settings/cloudevents`,
      params: { tenantId },
      headers: { authorization, 'content-type': 'application/json' },
      body: { string: JSON.stringify({ endpoints: [{ url, secret }] }) },
    });
    const response = await answerHttpRequest(
      adminCloudEventEndpointsFunction,
      request,
      endpoints,
      buildInvocationContext(),
      { authenticator, users: new InMemoryWatchedUsers(clock) },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.jsonBody)).toMatch(/localhost|loopback/);
    expect((await endpoints.view(tenantId)).endpoints).toEqual([]);
  });

  it('when a tenant endpoint’s name resolves to a loopback address, then nothing is sent, it is counted and the failure is permanent', async () => {
    const counters = new Counters();
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url: `${base}/events`.replace('127.0.0.1', 'hooks.example'), secret }],
      clock,
      sleep: async () => undefined,
      addressesOf: async () => ['93.184.216.34', '127.0.0.1'],
      counters,
    });
    const before = hits.length;
    await expect(publisher.notifyIntegrations(notice)).rejects.toMatchObject({
      code: 'request-rejected',
      transient: false,
    });
    expect(hits.length).toBe(before);
    expect(counters.get('cloudevents.internal-address-refused')).toBe(1);
  });

  it('when the endpoint answers with a redirect, then it is not followed and the send fails', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url: `${base}/moved`, secret, operatorConfigured: true }],
      clock,
      sleep: async () => undefined,
    });
    await expect(publisher.notifyIntegrations(notice)).rejects.toMatchObject({ code: 'request-rejected' });
    expect(hits).toContain('/moved');
    expect(hits).not.toContain('/inside');
  });

  it('when the operator’s own endpoint is on 127.0.0.1, then it still gets the event', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url: `${base}/events`, secret, operatorConfigured: true }],
      clock,
    });
    await publisher.notifyIntegrations(notice);
    expect(hits.at(-1)).toBe('/events');
  });

  it('when every failing endpoint answers a 4xx (not 408/429), then the failure is permanent, with the reason, after one try', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [
        { url: `${base}/events`, secret, operatorConfigured: true },
        { url: `${base}/bad-request`, secret, operatorConfigured: true },
      ],
      clock,
      sleep: async () => undefined,
    });
    const before = hits.filter((hit) => hit === '/bad-request').length;
    const failure = await publisher.notifyIntegrations(notice).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'request-rejected', transient: false });
    expect(String((failure as Error).message)).toContain('answered 400');
    expect(hits.filter((hit) => hit === '/bad-request').length).toBe(before + 1);
  });

  it('when one endpoint answers 400 and another 503, then the failure stays transient', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [
        { url: `${base}/bad-request`, secret, operatorConfigured: true },
        { url: `${base}/unavailable`, secret, operatorConfigured: true },
      ],
      clock,
      sleep: async () => undefined,
    });
    await expect(publisher.notifyIntegrations(notice)).rejects.toMatchObject({
      code: 'dependency-unavailable',
      transient: true,
    });
  });
});

describe('CloudEvents failures and the Join delivery marker', () => {
  it('when the only endpoint refuses connections, then the failure proves nothing was delivered (the marker may be freed)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url: `http://127.0.0.1:${port}/events`, secret, operatorConfigured: true }],
      clock,
      sleep: async () => undefined,
    });
    const failure = await publisher.notifyIntegrations(notice).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'dependency-unavailable' });
    expect(nothingWasDelivered(failure)).toBe(true);
  });

  it('when one endpoint accepted and another failed, then the failure does not prove nothing was delivered (the marker is kept, so the first is not sent to again)', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [
        { url: `${base}/events`, secret, operatorConfigured: true },
        { url: `${base}/bad-request`, secret, operatorConfigured: true },
      ],
      clock,
      sleep: async () => undefined,
    });
    const failure = await publisher.notifyIntegrations(notice).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'request-rejected' });
    expect(nothingWasDelivered(failure)).toBe(false);
  });

  it('when an endpoint keeps answering 503, then the failure does not prove nothing was delivered', async () => {
    const publisher = new CloudEventsPublisher({
      endpointsOf: async () => [{ url: `${base}/unavailable`, secret, operatorConfigured: true }],
      clock,
      sleep: async () => undefined,
    });
    const failure = await publisher.notifyIntegrations(notice).catch((error: unknown) => error);
    expect(nothingWasDelivered(failure)).toBe(false);
  });
});
