import {
  AuthError,
  type AuthenticationResult,
  type ConfidentialClientApplication,
  type Configuration,
  InteractionRequiredAuthError,
  LogLevel,
} from '@azure/msal-node';
import type { AuthorizationUrlRequest, CodeRedemptionRequest } from '../../auth/authorizationCode.js';
import { ReauthorizationRequiredError } from '../../calendar/tokenProvider.js';
import { AppError } from '../../errors.js';
import type { ClientAssertionSource } from './clientAssertion.js';

/**
 * How MSAL authenticates as the app: a client secret, or client assertions (in Azure the managed
 * identity's token, trusted by the app registration's federated identity credential).
 */
export type MsalClientCredential = { clientSecret: string } | { clientAssertions: ClientAssertionSource };

/** The credential as MSAL's configuration takes it. */
export function msalCredentialOf(
  credential: MsalClientCredential,
): { clientSecret: string } | { clientAssertion: () => Promise<string> } {
  if ('clientSecret' in credential) return { clientSecret: credential.clientSecret };
  // A callback, so MSAL asks for an assertion at each token request and never keeps a stale one.
  const source = credential.clientAssertions;
  return { clientAssertion: async () => (await source.assertion()).jwt };
}

/** Who the app is to MSAL: the same for app tokens, connected users and the administrator's sign-in. */
export interface MsalAppIdentity {
  clientId: string;
  credential: MsalClientCredential;
  /** `https://login.microsoftonline.com`, or the Graph simulator's base URL. */
  authorityHost: string;
}

const microsoftAuthorityHosts = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
]);

/** MSAL's configuration of the app in one authority (a tenant id or `organizations`); MSAL logs nothing personal. */
export function msalConfiguration(app: MsalAppIdentity, tenant: string): Configuration {
  const host = new URL(app.authorityHost);
  return {
    auth: {
      clientId: app.clientId,
      ...msalCredentialOf(app.credential),
      authority: `${host.origin}/${tenant}`,
      // Outside Microsoft's clouds (the simulator) MSAL must trust the host without instance discovery.
      ...(microsoftAuthorityHosts.has(host.hostname) ? {} : { knownAuthorities: [host.host] }),
    },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Error,
        loggerCallback: () => undefined,
      },
    },
  };
}

/** The sign-in URL of an authorization-code flow with PKCE (S256). */
export async function authorizationCodeUrl(
  client: ConfidentialClientApplication,
  scopes: string[],
  request: AuthorizationUrlRequest,
  action: string,
): Promise<string> {
  try {
    return await client.getAuthCodeUrl({
      scopes,
      redirectUri: request.redirectUri,
      state: request.state,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: 'S256',
      ...(request.loginHint ? { loginHint: request.loginHint } : {}),
    });
  } catch (error) {
    throw toTokenError(error, action);
  }
}

/** Redeems an authorization code with its PKCE verifier; failures as the service's typed errors. */
export async function redeemAuthorizationCode(
  client: ConfidentialClientApplication,
  scopes: string[],
  request: CodeRedemptionRequest,
  action: string,
): Promise<AuthenticationResult> {
  try {
    return await client.acquireTokenByCode({
      code: request.code,
      codeVerifier: request.codeVerifier,
      redirectUri: request.redirectUri,
      scopes,
    });
  } catch (error) {
    throw toTokenError(error, action);
  }
}

/** The AADSTS numbers of an identity-platform answer: MSAL's `errorNo`, else those named in the text. */
export function aadstsCodesOf(error: AuthError): number[] {
  const codes = new Set<number>();
  const errorNo = (error as { errorNo?: unknown }).errorNo;
  if (typeof errorNo === 'string' && /^\d+$/.test(errorNo)) codes.add(Number(errorNo));
  for (const match of `${error.errorMessage ?? ''} ${error.message}`.matchAll(/AADSTS(\d{4,7})/g))
    codes.add(Number(match[1]));
  return [...codes];
}

/** Maps an MSAL failure to the service's typed errors, without ever copying a token into a message. */
export function toTokenError(error: unknown, action: string): AppError {
  if (error instanceof AppError) return error;
  if (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && error.errorCode === 'invalid_grant' && action !== 'app token')
  ) {
    const codes = aadstsCodesOf(error as AuthError);
    return new ReauthorizationRequiredError(
      `${action}: the user must connect their calendar again${codes.length ? ` (AADSTS${codes.join(', AADSTS')})` : ''}`,
      codes,
      { cause: error },
    );
  }
  if (error instanceof AuthError) {
    if (
      ['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope'].includes(error.errorCode)
    ) {
      const consent = error.errorMessage?.includes('65001') ? ' (admin consent is missing)' : '';
      return new AppError(
        'unauthorized',
        `${action}: the identity platform refused (${error.errorCode})${consent}`,
        { cause: error },
      );
    }
  }
  return new AppError('dependency-unavailable', `${action}: the identity platform could not be reached`, {
    cause: error,
  });
}
