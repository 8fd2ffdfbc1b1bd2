import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../../dev/graphSimulator/demoTenant.js';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { apiAudiences, BearerAuthenticator } from '../../shared/adapters/entra/bearerAuth.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

// The API's token check against the simulator's identity platform: its keys, its issuer, tokens of
// the shape Entra ID issues (v2.0, `aud` the client id). Shapes Entra could also sign with the same
// common keys, but that are not ours, are made with the simulator's key and must be refused.
let simulator: GraphSimulator;
let authenticator: BearerAuthenticator;
let alice: DirectoryUser;
const otherTenant = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
  const clientId = simulator.tenant.app.clientId;
  authenticator = new BearerAuthenticator(
    {
      issuer: `${simulator.baseUrl}/{tenantid}/v2.0`,
      audiences: apiAudiences(`api://${clientId}`, clientId),
      jwksUrl: `${simulator.baseUrl}/common/discovery/v2.0/keys`,
      adminRole: 'HybridCalendar.Admin',
    },
    simulator.clock,
  );
  const found = simulator.tenant.users.find((user) => user.mail === 'alice@contoso.example');
  if (!found) throw new Error('the demo tenant has no Alice');
  alice = found;
});

afterAll(async () => {
  await simulator?.stop();
});

describe('BearerAuthenticator against the simulator’s identity platform', () => {
  it('when the token is the simulator’s v2.0 API token, then the caller is its user with their roles', async () => {
    const token = await simulator.identity.issueApiUserToken(alice);

    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toEqual({
      tenantId: simulator.tenant.tenantId,
      objectId: alice.id,
      roles: ['HybridCalendar.Admin'],
      isApp: false,
    });
  });

  it('when the client credentials flow asks for the API, then the app-only token passes as an app', async () => {
    const response = await fetch(`${simulator.baseUrl}/${simulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: simulator.tenant.app.clientId,
        client_secret: simulator.tenant.app.clientSecret,
        scope: `api://${simulator.tenant.app.clientId}/.default`,
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };

    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      tenantId: simulator.tenant.tenantId,
      isApp: true,
    });
  });

  it('when the audience is the app’s api:// URI instead of its client id, then the token passes too', async () => {
    const token = await simulator.identity.issueApiTokenVariant(alice, {
      audience: `api://${simulator.tenant.app.clientId}`,
    });

    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      objectId: alice.id,
    });
  });

  it('when the token is for another audience (Graph), then it is refused as unauthenticated (401)', async () => {
    const token = await simulator.identity.issueApiTokenVariant(alice, {
      audience: 'https://graph.microsoft.com',
    });

    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('when the token’s tid is another tenant than its issuer names, then it is refused (401)', async () => {
    const token = await simulator.identity.issueApiTokenVariant(alice, { claims: { tid: otherTenant } });

    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(/unexpected issuer/),
    });
  });

  it('when the token is a v1.0 token (sts.windows.net issuer, ver 1.0), then it is refused (401)', async () => {
    const tenantId = simulator.tenant.tenantId;
    const token = await simulator.identity.issueApiTokenVariant(alice, {
      issuer: `https://sts.windows.net/${tenantId}/`,
      claims: { ver: '1.0', appid: simulator.tenant.app.clientId, azp: undefined, azpacr: undefined },
    });

    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('when only ver says 1.0 (v2.0 issuer), then it is refused (401)', async () => {
    const token = await simulator.identity.issueApiTokenVariant(alice, { claims: { ver: '1.0' } });

    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('when the tid is not a directory id, then it is refused (401)', async () => {
    const token = await simulator.identity.issueApiTokenVariant(alice, {
      claims: { tid: 'common' },
      issuer: `${simulator.baseUrl}/common/v2.0`,
    });

    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });
});
