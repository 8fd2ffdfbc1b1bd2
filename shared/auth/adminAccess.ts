import type { HttpRequest } from '@azure/functions';
import type { BearerAuthenticator, Principal } from '../adapters/entra/bearerAuth.js';

/** The caller, checked to be an administrator of `tenantId`: 401 without a valid token, 403 otherwise. */
export async function requireTenantAdmin(
  auth: BearerAuthenticator,
  request: HttpRequest,
  tenantId: string,
): Promise<Principal> {
  const principal = await auth.authenticate(request.headers.get('authorization'));
  auth.requireAdmin(principal, tenantId);
  return principal;
}
