import type { AuthorizationUrlRequest, CodeRedemptionRequest } from '../auth/authorizationCode.js';

/** What the sign-in of an administrator gives back. */
export interface AdminSignInResult {
  tenantId: string;
  userId: string;
  /** The `wids` claim (directory role template ids), when the token carries it. */
  wids: string[] | undefined;
  /** The delegated Graph token of the sign-in, for reading the admin's own roles when `wids` is absent. */
  accessToken: string;
}

/** The administrator's sign-in (authorization code with PKCE), in Entra ID's multi-tenant authority. */
export interface AdminSignIn {
  authorizationUrl(request: AuthorizationUrlRequest): Promise<string>;
  redeem(request: CodeRedemptionRequest): Promise<AdminSignInResult>;
  /** Role template ids of the signed-in user's directory roles, from Graph. */
  directoryRoleTemplateIds(accessToken: string): Promise<string[]>;
  /** Where the administrator grants the application permissions for their tenant (never `common`). */
  adminConsentUrl(request: { tenantId: string; redirectUri: string; state: string }): string;
}

/** Why a test mailbox failed. */
export type MailboxTestFailure = 'not-found' | 'not-licensed' | 'blocked-by-policy' | 'refused';

/** A tenant's directory and mailboxes as onboarding needs them, with the app's own (app-only) rights. */
export interface TenantDirectory {
  domains(tenantId: string): Promise<string[]>;
  /** The object id of a user by principal name, or undefined when there is none. */
  findUserId(tenantId: string, userPrincipalName: string): Promise<string | undefined>;
  /** Object ids of every user with a mailbox. */
  usersWithMailbox(tenantId: string): Promise<string[]>;
  /** Object ids of a group's users, nested groups included; undefined when the group does not exist. */
  groupUserIds(tenantId: string, groupId: string): Promise<string[] | undefined>;
  /** Creates a test event in the mailbox and deletes it again. */
  testMailbox(
    tenantId: string,
    userPrincipalName: string,
  ): Promise<{ ok: true } | { ok: false; failure: MailboxTestFailure; detail: string }>;
}

/** Graph subscriptions of a tenant, for offboarding. */
export interface TenantSubscriptions {
  list(tenantId: string): Promise<string[]>;
  /** Deletes one; a subscription already gone counts as deleted. */
  delete(tenantId: string, subscriptionId: string): Promise<void>;
}
