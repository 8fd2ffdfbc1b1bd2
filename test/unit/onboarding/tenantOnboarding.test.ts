import { beforeEach, describe, expect, it } from 'vitest';
import { onboardingTenantCallbackFunction } from '../../../functions/onboardingTenantCallback.js';
import {
  onboardingEnableFunction,
  onboardingTestMailboxFunction,
} from '../../../functions/onboardingTenantForms.js';
import { tenantEnablementFunction } from '../../../functions/tenantEnablement.js';
import {
  SignedSingleUseStates,
  type StateDocument,
  singleUseStates,
  stateLifetimeMs,
} from '../../../shared/auth/singleUseStates.js';
import { queueNames } from '../../../shared/bus/queues.js';
import { AppError } from '../../../shared/errors.js';
import { HttpRequest } from '../../../shared/hosting/azureFunctionsRuntime.js';
import {
  type EnablementContext,
  enableRequestSchema,
  requestEnablement,
  runEnablementJob,
} from '../../../shared/onboarding/enablementJobs.js';
import {
  consentingRoles,
  type EnablementJob,
  enablementJobs,
  type OnboardedTenant,
  onboardedTenants,
} from '../../../shared/onboarding/onboardingRecords.js';
import { OnboardingSessionSigner } from '../../../shared/onboarding/onboardingSessions.js';
import type { AdminSignIn, TenantDirectory } from '../../../shared/onboarding/ports.js';
import {
  type CallbackOutcome,
  completeOnboardingStep,
  type OnboardingContext,
  sessionOf,
  startTenantOnboarding,
} from '../../../shared/onboarding/tenantOnboarding.js';
import { InMemoryDocumentCollection } from '../../support/fakes/inMemoryDocumentCollection.js';
import { buildInvocationContext, type LoggedLine } from '../../support/invocationContext.js';
import { buildWatch, type WatchHarness } from '../../support/watchBuilders.js';

const tenantId = 'a4d7e2f1-6c3b-4e8a-9f5d-1b2c3d4e5f60';
const adminId = '2f0e5c9b-0001-4d4a-8b8f-6c7d8e9fa001';

/** A sign-in whose answer the test decides: who signed in and which roles the token carries. */
class ScriptedSignIn implements AdminSignIn {
  wids: string[] | undefined = [consentingRoles.globalAdministrator];
  graphRoles: string[] = [];
  redeemed: Array<{ code: string; codeVerifier: string }> = [];
  lastChallenge = '';

  async authorizationUrl(request: { state: string; codeChallenge: string }): Promise<string> {
    this.lastChallenge = request.codeChallenge;
    return `https://login.example/organizations/oauth2/v2.0/authorize?state=${encodeURIComponent(request.state)}`;
  }

  async redeem(request: { code: string; codeVerifier: string }) {
    this.redeemed.push(request);
    return { tenantId, userId: adminId, wids: this.wids, accessToken: 'delegated-token' };
  }

  rolesFailWith: AppError | undefined;

  async directoryRoleTemplateIds(): Promise<string[]> {
    if (this.rolesFailWith) throw this.rolesFailWith;
    return this.graphRoles;
  }

  adminConsentUrl(request: { tenantId: string; state: string }): string {
    return `https://login.example/${request.tenantId}/v2.0/adminconsent?state=${encodeURIComponent(request.state)}`;
  }
}

/** A directory of a few users and one group. */
class FakeDirectory implements TenantDirectory {
  users = new Map([
    ['olga@fabrikam.example', '2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003'],
    ['pedro@fabrikam.example', '2f0e5c9b-0004-4d4a-8b8f-6c7d8e9fa004'],
  ]);
  failWith: AppError | undefined;

  async domains(): Promise<string[]> {
    if (this.failWith) throw this.failWith;
    return ['fabrikam.example'];
  }
  async findUserId(_tenant: string, name: string): Promise<string | undefined> {
    if (this.failWith) throw this.failWith;
    return this.users.get(name.toLowerCase());
  }
  async usersWithMailbox(): Promise<string[]> {
    return [...this.users.values()];
  }
  async groupUserIds(_tenant: string, groupId: string): Promise<string[] | undefined> {
    return groupId === '3a1f6d0c-0001-4e5b-9c9a-7d8e9fab0001' ? [...this.users.values()] : undefined;
  }
  mailboxTests = 0;
  async testMailbox() {
    this.mailboxTests += 1;
    return { ok: true as const };
  }
}

let watch: WatchHarness;
let states: InMemoryDocumentCollection<StateDocument>;
let tenants: InMemoryDocumentCollection<OnboardedTenant>;
let jobs: InMemoryDocumentCollection<EnablementJob>;
let signIn: ScriptedSignIn;
let directory: FakeDirectory;
let context: OnboardingContext;

function stateOf(url: string): string {
  return new URL(url).searchParams.get('state') ?? '';
}

async function signedInCallback(): Promise<CallbackOutcome> {
  const state = stateOf(await startTenantOnboarding(context, {}));
  return completeOnboardingStep(context, { state, code: 'code-1' });
}

beforeEach(() => {
  watch = buildWatch();
  states = new InMemoryDocumentCollection(singleUseStates);
  tenants = new InMemoryDocumentCollection(onboardedTenants);
  jobs = new InMemoryDocumentCollection(enablementJobs);
  signIn = new ScriptedSignIn();
  directory = new FakeDirectory();
  const enablement: EnablementContext = {
    jobs,
    bus: watch.bus,
    directory,
    watch: watch.context,
    clock: watch.clock,
  };
  context = {
    clock: watch.clock,
    states: new SignedSingleUseStates({ secret: Buffer.alloc(32, 3), states, clock: watch.clock }),
    sessions: new OnboardingSessionSigner(Buffer.alloc(32, 3)),
    tenants,
    signIn,
    directory,
    enablement,
    callbackUrl: 'https://calendar.example/api/onboarding/tenant/callback',
  };
});

describe('tenant onboarding', () => {
  it('when onboarding starts, then the PKCE verifier is kept in the state record and only its S256 challenge leaves', async () => {
    await startTenantOnboarding(context, {});

    const [record] = states.all();
    expect(record?.purpose).toBe('onboarding');
    expect(record?.payload).toMatchObject({
      step: 'sign-in',
      codeVerifier: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(signIn.lastChallenge).not.toBe(record?.payload.codeVerifier);
  });

  it('when a Global Administrator signs in, then the answer sends them to their own tenant’s admin consent', async () => {
    const outcome = await signedInCallback();

    expect(outcome.kind).toBe('redirect');
    expect(outcome.kind === 'redirect' && new URL(outcome.location).pathname).toBe(
      `/${tenantId}/v2.0/adminconsent`,
    );
    expect(tenants.all()).toEqual([]);
  });

  it('when the token has no wids, then the roles come from Graph: a Privileged Role Administrator may onboard', async () => {
    signIn.wids = undefined;
    signIn.graphRoles = [consentingRoles.privilegedRoleAdministrator];

    expect((await signedInCallback()).kind).toBe('redirect');
  });

  it('when Graph does not answer the role lookup in time, then the callback answers a page saying so, and records nothing', async () => {
    signIn.wids = undefined;
    signIn.rolesFailWith = new AppError(
      'dependency-unavailable',
      'GET /me/memberOf: Graph did not answer within 10 s',
    );
    const state = stateOf(await startTenantOnboarding(context, {}));

    const page = await onboardingTenantCallbackFunction.handle(
      new HttpRequest({
        method: 'GET',
        url: `http://127.0.0.1:7071/api/onboarding/tenant/callback?${new URLSearchParams({ state, code: 'code-1' })}`,
      }),
      context,
      buildInvocationContext(),
      undefined as never,
    );

    expect(page.status).toBe(503);
    expect(String(page.body)).toContain('Graph did not answer within 10 s');
    expect(String(page.body)).toContain('start again');
    expect(tenants.all()).toEqual([]);
  });

  it('when someone without either role signs in, then they are refused and no consent state or tenant is written', async () => {
    signIn.wids = ['88d8e3e3-8f55-4a1e-953a-9b9898b8876b'];

    const outcome = await signedInCallback();

    expect(outcome).toEqual({ kind: 'not-an-administrator' });
    expect(states.all().filter((state) => state.payload.step === 'consent')).toEqual([]);
    expect(tenants.all()).toEqual([]);
  });

  it('when a state is tampered with, then it is refused as forged before anything is read or written', async () => {
    const state = stateOf(await startTenantOnboarding(context, {}));
    const writesBefore = states.writes.length;
    const [version, nonce, expiry, mac] = state.split('.');

    for (const forged of [
      `${version}.${nonce}x.${expiry}.${mac}`,
      `${version}.${nonce}.${Number(expiry) + 3_600}.${mac}`,
      `${version}.${nonce}.${expiry}.${mac?.slice(1)}A`,
      'no-dot',
      `${state}.extra`,
    ]) {
      expect(await completeOnboardingStep(context, { state: forged, code: 'c' })).toEqual({
        kind: 'invalid-state',
        reason: 'forged',
      });
    }
    expect(await completeOnboardingStep(context, { code: 'c' })).toEqual({
      kind: 'invalid-state',
      reason: 'missing',
    });
    expect(states.writes.length).toBe(writesBefore);
    expect(signIn.redeemed).toEqual([]);
  });

  it('when a state is older than 10 minutes, then it is refused as expired and not used up', async () => {
    const state = stateOf(await startTenantOnboarding(context, {}));
    const writesBefore = states.writes.length;
    watch.clock.advanceBy(stateLifetimeMs);

    expect(await completeOnboardingStep(context, { state, code: 'c' })).toEqual({
      kind: 'invalid-state',
      reason: 'expired',
    });
    expect(states.writes.length).toBe(writesBefore);
  });

  it('when a state comes back twice, then the second is refused as replayed and the code is redeemed once', async () => {
    const state = stateOf(await startTenantOnboarding(context, {}));
    await completeOnboardingStep(context, { state, code: 'c' });

    expect(await completeOnboardingStep(context, { state, code: 'c' })).toEqual({
      kind: 'invalid-state',
      reason: 'replayed',
    });
    expect(signIn.redeemed).toHaveLength(1);
  });

  it('when the consent answer carries an error beside admin_consent=True, then the error wins and no tenant is recorded', async () => {
    const redirect = await signedInCallback();
    const state = redirect.kind === 'redirect' ? stateOf(redirect.location) : '';

    const outcome = await completeOnboardingStep(context, {
      state,
      admin_consent: 'True',
      tenant: tenantId,
      error: 'consent_required',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
    });

    expect(outcome).toMatchObject({ kind: 'consent-declined', error: 'consent_required' });
    expect(tenants.all()).toEqual([]);
  });

  it('when consent is granted, then the tenant is recorded with its admin and domains, and a session opens the forms', async () => {
    const redirect = await signedInCallback();
    const state = redirect.kind === 'redirect' ? stateOf(redirect.location) : '';

    const outcome = await completeOnboardingStep(context, { state, admin_consent: 'True', tenant: tenantId });

    expect(outcome.kind).toBe('onboarded');
    expect(tenants.all()).toEqual([
      {
        id: tenantId,
        consentedAt: watch.clock.now().toISOString(),
        adminObjectId: adminId,
        domains: ['fabrikam.example'],
        updatedAt: watch.clock.now().toISOString(),
      },
    ]);
    const session = outcome.kind === 'onboarded' ? outcome.session : '';
    expect(await sessionOf(context, session)).toEqual({ tenantId, adminObjectId: adminId });
    // A state does not pass as a session, nor a session as a state.
    await expect(sessionOf(context, state)).rejects.toThrow(AppError);
    expect(await completeOnboardingStep(context, { state: session })).toMatchObject({ reason: 'forged' });
  });

  it('when Graph does not yet let the new consent through, then the tenant is still recorded, without domains', async () => {
    const redirect = await signedInCallback();
    const state = redirect.kind === 'redirect' ? stateOf(redirect.location) : '';
    directory.failWith = new AppError('unauthorized', 'consent not yet propagated');

    const outcome = await completeOnboardingStep(context, { state, admin_consent: 'True', tenant: tenantId });

    expect(outcome.kind).toBe('onboarded');
    expect(tenants.all().map((tenant) => tenant.domains)).toEqual([[]]);
  });

  it('when the consent names another tenant than the one that signed in, then nothing is recorded', async () => {
    const redirect = await signedInCallback();
    const state = redirect.kind === 'redirect' ? stateOf(redirect.location) : '';

    const outcome = await completeOnboardingStep(context, {
      state,
      admin_consent: 'True',
      tenant: '00000000-0000-0000-0000-000000000000',
    });

    expect(outcome.kind).toBe('consent-declined');
    expect(tenants.all()).toEqual([]);
  });
});

describe('enablement jobs', () => {
  async function runQueued(): Promise<void> {
    for (const message of watch.sent(queueNames.tenantEnablement))
      await runEnablementJob(context.enablement, message.body as never);
  }

  it('when users are named by principal name, then those found are enabled and the others only counted', async () => {
    const { jobId } = await requestEnablement(context.enablement, tenantId, {
      kind: 'principal-names',
      userPrincipalNames: ['olga@fabrikam.example', 'ghost@fabrikam.example'],
    });
    expect((await jobs.read(jobId, tenantId))?.value.state).toBe('running');

    await runQueued();

    expect((await jobs.read(jobId, tenantId))?.value).toMatchObject({
      state: 'completed',
      found: 1,
      queued: 1,
      notFound: 1,
    });
    expect(JSON.stringify(jobs.all())).not.toContain('ghost');
    expect(watch.users.all().map((user) => user.id)).toEqual(['2f0e5c9b-0003-4d4a-8b8f-6c7d8e9fa003']);
  });

  it('when the group does not exist, then the job fails with the reason and enables nobody', async () => {
    const { jobId } = await requestEnablement(context.enablement, tenantId, {
      kind: 'group',
      groupId: '3a1f6d0c-0009-4e5b-9c9a-7d8e9fab0009',
    });

    await runQueued();

    expect((await jobs.read(jobId, tenantId))?.value).toMatchObject({
      state: 'failed',
      reason: 'The group does not exist in this tenant.',
    });
    expect(watch.users.all()).toEqual([]);
  });

  it('when the directory refuses for good (no consent), then the job fails; when it is only down, the message is retried', async () => {
    directory.failWith = new AppError('unauthorized', 'no consent');
    const refused = await requestEnablement(context.enablement, tenantId, {
      kind: 'principal-names',
      userPrincipalNames: ['olga@fabrikam.example'],
    });
    await runQueued();
    expect((await jobs.read(refused.jobId, tenantId))?.value.state).toBe('failed');

    directory.failWith = new AppError('dependency-unavailable', 'down');
    const { jobId } = await requestEnablement(context.enablement, tenantId, {
      kind: 'principal-names',
      userPrincipalNames: ['olga@fabrikam.example'],
    });
    const message = watch.sent(queueNames.tenantEnablement).at(-1)?.body;
    await expect(runEnablementJob(context.enablement, message as never)).rejects.toThrow('down');
    expect((await jobs.read(jobId, tenantId))?.value.state).toBe('running');
  });

  it('when a name is too short or not name@domain, then no job starts: the admin API refuses it and requestEnablement checks it too', async () => {
    for (const names of [
      ['ab'],
      ['olga@fabrikam.example', 'not-an-address'],
      [`${'x'.repeat(250)}@f.example`],
    ])
      expect(enableRequestSchema.safeParse({ userPrincipalNames: names }).success).toBe(false);

    await expect(
      requestEnablement(context.enablement, tenantId, {
        kind: 'principal-names',
        userPrincipalNames: ['olga@fabrikam.example', 'ab'],
      }),
    ).rejects.toMatchObject({ code: 'input-invalid' });

    expect(jobs.all()).toEqual([]);
    expect(watch.sent(queueNames.tenantEnablement)).toEqual([]);
  });

  it('when the consumer refuses a job’s message, then the job ends as failed with a reason, and the message is dead-lettered', async () => {
    const { jobId } = await requestEnablement(context.enablement, tenantId, {
      kind: 'principal-names',
      userPrincipalNames: ['olga@fabrikam.example'],
    });
    // A message from before names were checked, with a name the consumer's schema refuses.
    const body = {
      version: 1,
      tenantId,
      jobId,
      selection: { kind: 'principal-names', userPrincipalNames: ['ab'] },
    };

    await expect(
      tenantEnablementFunction.handle(
        {
          body,
          messageId: `enablement-${jobId}`,
          deliveryCount: 1,
          enqueuedTime: undefined,
          applicationProperties: {},
        },
        context.enablement,
        buildInvocationContext(),
      ),
    ).rejects.toMatchObject({ code: 'input-invalid' });

    const job = (await jobs.read(jobId, tenantId))?.value;
    expect(job).toMatchObject({ state: 'failed', reason: expect.stringContaining('refused') });
    expect(job?.ttl).toBeGreaterThan(0);
    expect(watch.users.all()).toEqual([]);
  });
});

describe('onboarding forms', () => {
  async function onboardedSession(): Promise<string> {
    const redirect = await signedInCallback();
    const state = redirect.kind === 'redirect' ? stateOf(redirect.location) : '';
    const outcome = await completeOnboardingStep(context, { state, admin_consent: 'True', tenant: tenantId });
    if (outcome.kind !== 'onboarded') throw new Error(`not onboarded: ${outcome.kind}`);
    return outcome.session;
  }

  function formPost(route: string, fields: Record<string, string>) {
    return new HttpRequest({
      method: 'POST',
      url: `http://127.0.0.1:7071/api/${route}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { string: new URLSearchParams(fields).toString() },
    });
  }

  it('when the names include ones that are not user principal names, then the page says how many, without echoing them, and no job starts', async () => {
    const session = await onboardedSession();
    const lines: LoggedLine[] = [];

    const page = await onboardingEnableFunction.handle(
      formPost('onboarding/tenant/enable', {
        session,
        selection: 'principal-names',
        userPrincipalNames: 'olga@fabrikam.example\nab\nnobody-at-all',
      }),
      context,
      buildInvocationContext(lines),
      undefined as never,
    );

    expect(page.status).toBe(400);
    expect(String(page.body)).toContain('2 of the 3 names are not user principal names');
    expect(String(page.body)).not.toContain('nobody-at-all');
    expect(String(page.body)).not.toContain('olga@');
    expect(JSON.stringify(lines)).not.toContain('nobody-at-all');
    expect(jobs.all()).toEqual([]);
    expect(watch.sent(queueNames.tenantEnablement)).toEqual([]);
  });

  it('when the tenant is offboarded, then a form posted with a session from before is refused and writes nothing', async () => {
    const session = await onboardedSession();
    const post = () =>
      onboardingEnableFunction.handle(
        formPost('onboarding/tenant/enable', { session, selection: 'all-with-mailbox' }),
        context,
        buildInvocationContext(),
        undefined as never,
      );
    expect((await post()).status).toBe(200);
    expect(jobs.all()).toHaveLength(1);
    const testedBefore = await onboardingTestMailboxFunction.handle(
      formPost('onboarding/tenant/test-mailbox', { session, mailbox: 'olga@fabrikam.example' }),
      context,
      buildInvocationContext(),
      undefined as never,
    );
    expect(testedBefore.status).toBe(200);
    directory.mailboxTests = 0;

    // What offboarding does to the onboarding record.
    await tenants.delete(tenantId, tenantId);
    for (const job of jobs.all()) await jobs.delete(job.id, job.tenantId);
    const sent = watch.sent(queueNames.tenantEnablement).length;

    const refused = await post();
    const tested = await onboardingTestMailboxFunction.handle(
      formPost('onboarding/tenant/test-mailbox', { session, mailbox: 'olga@fabrikam.example' }),
      context,
      buildInvocationContext(),
      undefined as never,
    );

    expect(refused.status).toBe(403);
    expect(tested.status).toBe(403);
    expect(jobs.all()).toEqual([]);
    expect(tenants.all()).toEqual([]);
    expect(watch.sent(queueNames.tenantEnablement)).toHaveLength(sent);
    expect(directory.mailboxTests).toBe(0);
  });

  it('when the tenant is onboarded again, then a session of the earlier consent is refused', async () => {
    const earlier = await onboardedSession();
    watch.clock.advanceBy(60_000);
    await onboardedSession();

    await expect(sessionOf(context, earlier)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
