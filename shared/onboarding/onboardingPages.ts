import { escapeHtml, htmlDocument, serverPageHeaders } from '../html/serverPages.js';
import type { EnablementJob, OnboardedTenant } from './onboardingRecords.js';
import type { InvalidStateReason, MailboxTestOutcome } from './tenantOnboarding.js';

/** A server-rendered page: status and HTML. */
export interface Page {
  status: number;
  html: string;
}

/** Headers of every onboarding page: its own CSS and forms posting back to it, nothing else. */
export const pageHeaders = serverPageHeaders({ inlineStyles: true, formsToSelf: true });

/** A page as an HTTP answer: its status, its HTML and the onboarding pages' headers. */
export function pageResponse(page: Page): { status: number; body: string; headers: Record<string, string> } {
  return { status: page.status, body: page.html, headers: { ...pageHeaders } };
}

const startPath = '/api/onboarding/tenant';

const style =
  'body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}' +
  '.failure{color:#a4262c}.success{color:#107c10}fieldset{margin:1rem 0}';

function layout(title: string, body: string): string {
  return htmlDocument({ title: `${title} · hybrid-calendar`, heading: title, body, style });
}

const stateReasons: Record<InvalidStateReason, string> = {
  missing: 'The answer carried no state.',
  forged: 'The state was not issued by this service.',
  expired: 'The state is older than 10 minutes.',
  replayed: 'The state was already used.',
};

export function invalidStatePage(reason: InvalidStateReason): Page {
  return {
    status: 400,
    html: layout(
      'This onboarding link is not valid',
      `<p class="failure" data-reason="${reason}">${escapeHtml(stateReasons[reason])} Nothing was changed.</p>` +
        `<p><a href="${startPath}">Start onboarding again</a>.</p>`,
    ),
  };
}

export function signInFailedPage(error: string, description: string): Page {
  return {
    status: 400,
    html: layout(
      'Sign-in did not complete',
      `<p class="failure" data-error="${escapeHtml(error)}">${escapeHtml(error)}: ${escapeHtml(description)}</p>` +
        `<p>Nothing was changed. <a href="${startPath}">Try again</a>.</p>`,
    ),
  };
}

/** A step that could not finish because Microsoft Graph (or the store) did not answer in time. */
export function serviceUnavailablePage(description: string): Page {
  return {
    status: 503,
    html: layout(
      'Onboarding could not finish',
      `<p class="failure" data-error="dependency-unavailable">${escapeHtml(description)}</p>` +
        `<p>Nothing was changed. Wait a moment, then <a href="${startPath}">start again</a>.</p>`,
    ),
  };
}

export function notAnAdministratorPage(): Page {
  return {
    status: 403,
    html: layout(
      'An administrator is needed',
      '<p class="failure" data-reason="role-required">Onboarding a tenant needs the <strong>Global Administrator</strong> ' +
        'or <strong>Privileged Role Administrator</strong> role: only they can grant the application permissions for ' +
        'the whole organisation. The account that signed in holds neither.</p>' +
        `<p>Nothing was changed. Ask an administrator to <a href="${startPath}">start onboarding</a>.</p>`,
    ),
  };
}

export function consentDeclinedPage(error: string, description: string): Page {
  return {
    status: 400,
    html: layout(
      'Admin consent was not granted',
      `<p class="failure" data-error="${escapeHtml(error)}">${escapeHtml(error)}: ${escapeHtml(description)}</p>` +
        `<p>The tenant was not onboarded. <a href="${startPath}">Start again</a> to grant consent.</p>`,
    ),
  };
}

const mailboxFailures: Record<string, string> = {
  'not-found': 'Mailbox not found',
  'not-licensed': 'Not licensed for Exchange Online',
  'blocked-by-policy': 'Blocked by an application access policy',
  refused: 'Refused',
};

function sessionField(session: string): string {
  return `<input type="hidden" name="session" value="${escapeHtml(session)}">`;
}

function mailboxResult(mailbox: string, outcome: MailboxTestOutcome): string {
  if (outcome.ok)
    return `<p class="success" data-outcome="ok">The test event was created and deleted in ${escapeHtml(mailbox)}: the service can reach its calendar.</p>`;
  return (
    `<p class="failure" data-outcome="${escapeHtml(outcome.failure)}">${escapeHtml(mailboxFailures[outcome.failure] ?? outcome.failure)}: ` +
    `${escapeHtml(outcome.detail)}</p>`
  );
}

function jobSection(
  job: Omit<EnablementJob, 'id' | 'tenantId' | 'ttl'> & { jobId: string },
  session: string,
): string {
  return (
    `<section id="enablement" data-job="${escapeHtml(job.jobId)}" data-state="${escapeHtml(job.state)}">` +
    `<h2>Enablement ${escapeHtml(job.state)}</h2><dl>` +
    `<dt>Job</dt><dd>${escapeHtml(job.jobId)}</dd>` +
    `<dt>Found</dt><dd data-count="found">${job.found}</dd>` +
    `<dt>Queued</dt><dd data-count="queued">${job.queued}</dd>` +
    `<dt>Not found</dt><dd data-count="notFound">${job.notFound}</dd>` +
    (job.reason ? `<dt>Reason</dt><dd class="failure">${escapeHtml(job.reason)}</dd>` : '') +
    '</dl>' +
    `<form method="post" action="${startPath}/enablement" id="enablement-refresh">${sessionField(session)}` +
    `<input type="hidden" name="jobId" value="${escapeHtml(job.jobId)}"><button type="submit">Refresh</button></form></section>`
  );
}

/**
 * The page of an onboarded tenant: what was recorded, the test-mailbox form and the form to choose
 * whom to enable; with the outcome of the last form, when there is one.
 */
export function onboardedPage(
  tenant: OnboardedTenant,
  session: string,
  extra: {
    mailboxTest?: { mailbox: string; outcome: MailboxTestOutcome };
    job?: Omit<EnablementJob, 'id' | 'tenantId' | 'ttl'> & { jobId: string };
  } = {},
): Page {
  const domains = tenant.domains.map((domain) => `<li>${escapeHtml(domain)}</li>`).join('');
  return {
    status: 200,
    html: layout(
      'Tenant onboarded',
      `<p class="success" data-tenant="${escapeHtml(tenant.id)}">Admin consent granted for tenant ${escapeHtml(tenant.id)} ` +
        `at ${escapeHtml(tenant.consentedAt)}.</p><h2>Domains</h2><ul>${domains}</ul>` +
        (extra.mailboxTest ? mailboxResult(extra.mailboxTest.mailbox, extra.mailboxTest.outcome) : '') +
        (extra.job ? jobSection(extra.job, session) : '') +
        `<form method="post" action="${startPath}/test-mailbox" id="test-mailbox"><fieldset><legend>Test a mailbox</legend>` +
        `${sessionField(session)}<label>Mailbox (user principal name) <input name="mailbox" type="email" required></label> ` +
        '<button type="submit">Test</button></fieldset></form>' +
        `<form method="post" action="${startPath}/enable" id="enable"><fieldset><legend>Whom to enable</legend>` +
        sessionField(session) +
        '<label><input type="radio" name="selection" value="all-with-mailbox" checked> All users with a mailbox</label><br>' +
        '<label><input type="radio" name="selection" value="group"> Members of a group (nested groups included), group object id: ' +
        '<input name="groupId"></label><br>' +
        '<label><input type="radio" name="selection" value="principal-names"> These users (one user principal name a line):<br>' +
        '<textarea name="userPrincipalNames" rows="4" cols="40"></textarea></label><br>' +
        '<button type="submit">Enable</button></fieldset></form>',
    ),
  };
}

export function formRefusedPage(message: string): Page {
  return {
    status: 400,
    html: layout(
      'The form was not accepted',
      `<p class="failure">${escapeHtml(message)}</p><p><a href="${startPath}">Start onboarding again</a>.</p>`,
    ),
  };
}
