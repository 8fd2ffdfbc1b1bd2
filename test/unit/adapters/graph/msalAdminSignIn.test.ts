import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MsalAdminSignIn } from '../../../../shared/adapters/graph/msalAdminSignIn.js';

// A Graph that takes the request and never answers: the admin's role lookup must not wait for ever.
let silentGraph: Server;
let baseUrl: string;
let requestsSeen = 0;

beforeAll(async () => {
  silentGraph = createServer(() => {
    requestsSeen += 1;
  });
  await new Promise<void>((resolve) => silentGraph.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(silentGraph.address() as AddressInfo).port}/v1.0`;
});

afterAll(async () => {
  silentGraph.closeAllConnections();
  await new Promise((resolve) => silentGraph.close(resolve));
});

describe('MsalAdminSignIn.directoryRoleTemplateIds', () => {
  it('when Graph does not answer /me/memberOf, then the request gives up after its timeout as dependency-unavailable', async () => {
    const signIn = new MsalAdminSignIn({
      clientId: '00000000-0000-4000-8000-000000000001',
      credential: { clientSecret: 'not-used' },
      authorityHost: 'https://login.microsoftonline.com',
      graphBaseUrl: baseUrl,
      memberOfTimeoutMs: 100,
    });

    const failure = await signIn.directoryRoleTemplateIds('delegated-token').catch((error) => error);

    expect(failure).toMatchObject({
      code: 'dependency-unavailable',
      message: 'GET /me/memberOf: Graph did not answer within 0.1 s',
    });
    expect(requestsSeen).toBe(1);
  });
});
