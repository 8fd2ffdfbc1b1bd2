import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalAdministratorRoleTemplateId } from '../../dev/graphSimulator/demoTenant.js';
import { secondTenantIds } from '../../dev/graphSimulator/secondTenant.js';
import type { GraphSimulator } from '../../dev/graphSimulator/server.js';
import { startTestGraphSimulator } from '../support/graphSimulator.js';

// The second tenant of the simulator: what tenant onboarding meets before and after admin consent.
let simulator: GraphSimulator;
const tenantId = secondTenantIds.tenantId;

async function clientCredentials(tenant: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${simulator.baseUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: simulator.tenant.app.clientId,
      client_secret: simulator.tenant.app.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function graphAs(token: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${simulator.graphUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function consentUrl(redirectUri: string): string {
  const url = new URL(`${simulator.baseUrl}/${tenantId}/v2.0/adminconsent`);
  url.searchParams.set('client_id', simulator.tenant.app.clientId);
  url.searchParams.set('scope', 'https://graph.microsoft.com/.default');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', 'abc');
  return url.toString();
}

beforeAll(async () => {
  simulator = await startTestGraphSimulator();
});
afterAll(async () => {
  await simulator?.stop();
});

describe('the second tenant', () => {
  it('when it has not consented, then client credentials are refused with AADSTS65001', async () => {
    const answer = await clientCredentials(tenantId);
    expect(answer.status).toBe(400);
    expect(answer.body.error_codes).toEqual([65001]);
  });

  it('when a user signs in, then the tokens carry its tenant and the wids of its directory roles', async () => {
    const authorize = new URL(`${simulator.baseUrl}/organizations/oauth2/v2.0/authorize`);
    authorize.searchParams.set('client_id', simulator.tenant.app.clientId);
    authorize.searchParams.set('response_type', 'code');
    authorize.searchParams.set('redirect_uri', 'http://127.0.0.1/callback');
    authorize.searchParams.set('scope', 'openid profile User.Read');
    authorize.searchParams.set('login_hint', 'grace@fabrikam.example');
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await fetch(`${simulator.baseUrl}/organizations/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: simulator.tenant.app.clientId,
        client_secret: simulator.tenant.app.clientSecret,
        code,
        redirect_uri: 'http://127.0.0.1/callback',
      }),
    });
    const body = (await token.json()) as { id_token: string; access_token: string };
    const idToken = decodeJwt(body.id_token);
    expect(idToken.tid).toBe(tenantId);
    expect(idToken.iss).toBe(`${simulator.baseUrl}/${tenantId}/v2.0`);
    expect(idToken.wids).toEqual([globalAdministratorRoleTemplateId]);
    expect(decodeJwt(body.access_token).wids).toEqual([globalAdministratorRoleTemplateId]);
  });

  it('when the administrator declines, then the redirect carries admin_consent=True with consent_required', async () => {
    await fetch(`${simulator.baseUrl}/_control/tenants/${tenantId}/admin-consent`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'decline' }),
    });
    const declined = await fetch(consentUrl('http://127.0.0.1/callback'), { redirect: 'manual' });
    const location = new URL(declined.headers.get('location') ?? '');
    expect(location.searchParams.get('admin_consent')).toBe('True');
    expect(location.searchParams.get('error')).toBe('consent_required');
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
    expect(location.searchParams.get('state')).toBe('abc');
    expect((await clientCredentials(tenantId)).status).toBe(400);
  });

  describe('after admin consent', () => {
    let token: string;
    beforeAll(async () => {
      const granted = await fetch(consentUrl('http://127.0.0.1/callback'), { redirect: 'manual' });
      const location = new URL(granted.headers.get('location') ?? '');
      expect(location.searchParams.get('admin_consent')).toBe('True');
      expect(location.searchParams.get('tenant')).toBe(tenantId);
      expect(location.searchParams.has('error')).toBe(false);
      const answer = await clientCredentials(tenantId);
      expect(answer.status).toBe(200);
      token = String(answer.body.access_token);
    });

    it('when Graph is asked for domains and users, then it shows this tenant only', async () => {
      const domains = await graphAs(token, '/domains');
      expect((domains.body.value as Array<{ id: string }>).map((domain) => domain.id)).toEqual([
        'fabrikam.example',
        'fabrikam.onmicrosoft.com',
      ]);
      expect((await graphAs(token, '/users/alice@contoso.example')).status).toBe(404);
      const grace = await graphAs(token, "/users?$filter=userPrincipalName eq 'grace@fabrikam.example'");
      expect((grace.body.value as Array<{ id: string }>)[0]?.id).toBe(secondTenantIds.globalAdministrator);
    });

    it('when users with a mailbox are listed, then the unlicensed user is left out (an advanced query)', async () => {
      expect((await graphAs(token, '/users?$filter=mail ne null')).status).toBe(400);
      const listed = await graphAs(token, '/users?$filter=mail ne null&$count=true', {
        ConsistencyLevel: 'eventual',
      });
      const mails = (listed.body.value as Array<{ mail: string }>).map((user) => user.mail);
      expect(mails).toContain('olga@fabrikam.example');
      expect(mails).not.toContain('uma@fabrikam.example');
    });

    it('when a group is expanded transitively, then nested members come too', async () => {
      const members = await graphAs(token, `/groups/${secondTenantIds.salesGroup}/transitiveMembers`);
      expect(
        (members.body.value as Array<{ '@odata.type': string; id: string }>).map((m) => m['@odata.type']),
      ).toEqual(['#microsoft.graph.user', '#microsoft.graph.group', '#microsoft.graph.user']);
      const users = await graphAs(
        token,
        `/groups/${secondTenantIds.salesGroup}/transitiveMembers/microsoft.graph.user`,
      );
      expect((users.body.value as Array<{ mail: string }>).map((user) => user.mail).sort()).toEqual([
        'olga@fabrikam.example',
        'pedro@fabrikam.example',
      ]);
    });

    it('when a blocked or unlicensed mailbox is read, then Exchange refuses as Graph does', async () => {
      const blocked = await graphAs(token, '/users/bruno@fabrikam.example/events');
      expect(blocked.status).toBe(403);
      expect(blocked.body.error).toMatchObject({
        code: 'ErrorAccessDenied',
        message: 'Access to OData is disabled.',
      });
      const subscription = await fetch(`${simulator.graphUrl}/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          changeType: 'created',
          notificationUrl: 'https://127.0.0.1:1/notify',
          resource: '/users/bruno@fabrikam.example/events',
          expirationDateTime: new Date(simulator.clock.now().getTime() + 3_600_000).toISOString(),
        }),
      });
      expect(subscription.status).toBe(403);
      expect(
        ((await subscription.json()) as { error: { code: string; message: string } }).error,
      ).toMatchObject({
        code: 'ExtensionError',
        message: expect.stringContaining('Access to OData is disabled.'),
      });
      const unlicensed = await graphAs(token, '/users/uma@fabrikam.example/events');
      expect(unlicensed.status).toBe(404);
      expect((unlicensed.body.error as { code: string }).code).toBe('MailboxNotEnabledForRESTAPI');
    });
  });
});
