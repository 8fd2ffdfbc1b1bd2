import { z } from 'zod';
import { isAppError } from '../shared/errors.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readFormBody } from '../shared/hosting/httpRequests.js';
import { readEnablementJob, requestEnablement } from '../shared/onboarding/enablementJobs.js';
import {
  formRefusedPage,
  onboardedPage,
  type Page,
  pageResponse,
} from '../shared/onboarding/onboardingPages.js';
import { type UserSelection, userPrincipalNameSchema } from '../shared/onboarding/onboardingRecords.js';
import {
  type OnboardingContext,
  onboardingOf,
  sessionOf,
  testTenantMailbox,
} from '../shared/onboarding/tenantOnboarding.js';

/** A page as the host sends it. */
type PageResponse = ReturnType<typeof pageResponse>;

const sessionField = z.string().min(1).max(1_024);
const testMailboxFormSchema = z.object({
  session: sessionField,
  mailbox: userPrincipalNameSchema,
});
const enableFormSchema = z.object({
  session: sessionField,
  selection: z.enum(['all-with-mailbox', 'group', 'principal-names']),
  groupId: z.string().trim().max(64).optional(),
  userPrincipalNames: z
    .string()
    .max(64 * 1024)
    .optional(),
});
const progressFormSchema = z.object({ session: sessionField, jobId: z.uuid() });

/** Runs a form's work; a refused session or input becomes a page, not a JSON error. */
async function asPage(work: () => Promise<Page>): Promise<PageResponse> {
  try {
    return pageResponse(await work());
  } catch (error) {
    if (
      isAppError(error) &&
      ['forbidden', 'input-invalid', 'not-found', 'payload-too-large', 'unauthorized'].includes(error.code)
    )
      return pageResponse({
        ...formRefusedPage(error.message),
        status: error.code === 'forbidden' ? 403 : 400,
      });
    throw error;
  }
}

function selectionFrom(form: z.infer<typeof enableFormSchema>): UserSelection {
  if (form.selection === 'all-with-mailbox') return { kind: 'all-with-mailbox' };
  // The form's schema checked that a group selection names a GUID.
  if (form.selection === 'group') return { kind: 'group', groupId: (form.groupId ?? '').toLowerCase() };
  const names = [
    ...new Set(
      (form.userPrincipalNames ?? '')
        .split(/[\s,;]+/)
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  return { kind: 'principal-names', userPrincipalNames: names };
}

/** `POST /api/onboarding/tenant/test-mailbox`: creates and deletes a test event in the named mailbox. */
export const onboardingTestMailboxFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'onboardingTestMailbox',
  route: 'onboarding/tenant/test-mailbox',
  methods: ['POST'],
  access: { kind: 'anonymous' },
  describe: {
    post: {
      summary: 'Onboarding form: test a mailbox (session from the onboarding page)',
      body: testMailboxFormSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: { '200': 'The page with the outcome', '403': 'Session invalid or over' },
    },
  },
  handle: (request, onboarding) =>
    asPage(async () => {
      const form = await readFormBody(request, testMailboxFormSchema);
      const session = await sessionOf(onboarding, form.session);
      const outcome = await testTenantMailbox(onboarding, session, form.mailbox);
      const tenant = await onboardingOf(onboarding, session.tenantId);
      return onboardedPage(tenant, form.session, { mailboxTest: { mailbox: form.mailbox, outcome } });
    }),
};

/** `POST /api/onboarding/tenant/enable`: enables all users with a mailbox, a group's members, or named users. */
export const onboardingEnableFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'onboardingEnable',
  route: 'onboarding/tenant/enable',
  methods: ['POST'],
  access: { kind: 'anonymous' },
  describe: {
    post: {
      summary: 'Onboarding form: choose whom to enable (session from the onboarding page)',
      body: enableFormSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: {
        '200': 'The page with the job’s progress',
        '400': 'Invalid choice',
        '403': 'Session invalid or over',
      },
    },
  },
  handle: (request, onboarding) =>
    asPage(async () => {
      const form = await readFormBody(
        request,
        enableFormSchema.refine(
          (value) => value.selection !== 'group' || z.uuid().safeParse(value.groupId).success,
          {
            message: 'the group object id is a GUID',
            path: ['groupId'],
          },
        ),
      );
      const session = await sessionOf(onboarding, form.session);
      const selection = selectionFrom(form);
      if (selection.kind === 'principal-names') {
        if (selection.userPrincipalNames.length === 0 || selection.userPrincipalNames.length > 1_000)
          return formRefusedPage('Name between 1 and 1,000 user principal names.');
        // Counted, never echoed: the page and the logs carry no address.
        const invalid = selection.userPrincipalNames.filter(
          (name) => !userPrincipalNameSchema.safeParse(name).success,
        ).length;
        if (invalid > 0)
          return formRefusedPage(
            `${invalid} of the ${selection.userPrincipalNames.length} names ${invalid === 1 ? 'is not a user principal name' : 'are not user principal names'} (name@domain, 3 to 256 characters). Nobody was enabled.`,
          );
      }
      const { jobId } = await requestEnablement(onboarding.enablement, session.tenantId, selection);
      const job = await readEnablementJob(onboarding.enablement, session.tenantId, jobId);
      const tenant = await onboardingOf(onboarding, session.tenantId);
      return onboardedPage(tenant, form.session, { job });
    }),
};

/** `POST /api/onboarding/tenant/enablement`: the progress of an enablement job, for the Refresh button. */
export const onboardingEnablementProgressFunction: HttpFunctionDefinition<OnboardingContext> = {
  kind: 'http',
  name: 'onboardingEnablementProgress',
  route: 'onboarding/tenant/enablement',
  methods: ['POST'],
  access: { kind: 'anonymous' },
  describe: {
    post: {
      summary: 'Onboarding form: progress of an enablement job',
      body: progressFormSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: { '200': 'The page with the job’s progress', '403': 'Session invalid or over' },
    },
  },
  handle: (request, onboarding) =>
    asPage(async () => {
      const form = await readFormBody(request, progressFormSchema);
      const session = await sessionOf(onboarding, form.session);
      const job = await readEnablementJob(onboarding.enablement, session.tenantId, form.jobId);
      const tenant = await onboardingOf(onboarding, session.tenantId);
      return onboardedPage(tenant, form.session, { job });
    }),
};
