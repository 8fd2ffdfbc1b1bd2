// The service's own list (a plain array, no server code): the console and the API cannot drift apart.
import { reconnectErrorReasons } from '../shared/connect/reconnectReasons.js';
import { type AdminApi, ApiError } from './adminApi.js';
import { clear, field, fluent, formatTime, h } from './dom.js';

export interface ListedUser {
  id: string;
  enabled: boolean;
  state: 'activated' | 'not-activated' | 'error';
  errorReason: string | null;
  nextRetryAt: string | null;
  subscriptionExpiresAt: string | null;
  /** `application` (admin consent) or `delegated` (the user connected their own calendar). */
  authorization?: 'application' | 'delegated';
  /** For a connected user in Error: the link that connects their calendar again. */
  reconnectUrl?: string | null;
  displayName: string | null;
  mail: string | null;
}

interface EnablementJobProgress {
  jobId: string;
  state: 'running' | 'completed' | 'failed';
  found: number;
  queued: number;
  notFound: number;
  reason?: string;
}

type StateFilter = 'all' | 'activated' | 'not-activated' | 'error' | 'reconnect';

/** Errors that only the user can fix, by connecting their calendar again. */
const reconnectReasons: ReadonlySet<string> = new Set(reconnectErrorReasons);

/** Each Error reason in plain words: what happened and what follows. */
const reasonWords: Record<string, string> = {
  'subscribe-failed': 'Graph refused or failed the subscription; it is retried on schedule.',
  'mailbox-gone': 'The mailbox left Exchange Online (moved on-premises, deleted or unlicensed).',
  'subscription-missing': 'The subscription was gone from Graph; it is created again.',
  unauthorized: 'The app lacks consent or permission for this mailbox.',
  'sync-failed': 'Reading the calendar failed; it is retried on schedule.',
  'reauthorization-required': 'The connection to the calendar stopped working: the user must connect again.',
  'token-expired': 'The connection expired after going unused too long: the user must connect again.',
  'token-revoked': 'The connection was revoked, or the password changed: the user must connect again.',
  'consent-missing': 'The permissions were never granted: the user (or an administrator) must consent.',
  'consent-declined': 'The permissions were declined: the user must connect again and accept them.',
  'mfa-required': 'Multi-factor authentication is required: the user must sign in again.',
  'conditional-access':
    'A Conditional Access policy blocks the sign-in: the user must connect from where it allows.',
};

const stateLabels: Record<Exclude<StateFilter, 'all'>, string> = {
  activated: 'Activated',
  'not-activated': 'Not activated',
  error: 'Error',
  reconnect: 'Reconnect needed',
};

function stateOf(user: ListedUser): Exclude<StateFilter, 'all'> {
  if (user.state !== 'error' || !user.errorReason) return user.state;
  // A connected user's own grant that lacks a permission is fixed by connecting again, too.
  if (
    reconnectReasons.has(user.errorReason) ||
    (user.errorReason === 'unauthorized' && user.authorization === 'delegated')
  )
    return 'reconnect';
  return user.state;
}

const badgeColors: Record<Exclude<StateFilter, 'all'>, string> = {
  activated: 'success',
  'not-activated': 'informative',
  error: 'danger',
  reconnect: 'warning',
};

/** The reason of an Error in plain words (its code beside), and for a connected user the link to send them. */
function reasonCell(user: ListedUser): Node[] {
  if (!user.errorReason) return [document.createTextNode(user.enabled ? '' : 'disabled')];
  const cell: Node[] = [
    h('span', {}, reasonWords[user.errorReason] ?? 'An error the console has no words for.'),
    document.createTextNode(' '),
    h('code', { class: 'tag' }, user.errorReason),
  ];
  if (user.reconnectUrl) {
    const id = `reconnect-${user.id}`;
    const link = h('input', {
      id,
      type: 'text',
      readonly: true,
      class: 'reconnect-link',
      value: user.reconnectUrl,
    });
    const copy = h('button', { type: 'button', class: 'btn' }, 'Copy');
    copy.addEventListener('click', () => {
      // Where the browser does not allow the clipboard, the link is selected for the admin to copy.
      link.select();
      void navigator.clipboard?.writeText(link.value).then(
        () => {
          copy.textContent = 'Copied';
        },
        () => undefined,
      );
    });
    cell.push(
      h(
        'div',
        { class: 'reconnect' },
        h('label', { for: id }, 'Reconnect link: send it to the user'),
        h('div', { class: 'row' }, link, copy),
      ),
    );
  }
  return cell;
}

/** The users of the tenant by state; names and mail are read from the directory for this view only. */
export async function loadUsers(api: AdminApi): Promise<ListedUser[]> {
  const answer = await api.call<{ users: ListedUser[] }>('GET', '/users');
  return answer.users;
}

export function renderUsersPage(root: HTMLElement, api: AdminApi, shared: { users: ListedUser[] }): void {
  let filter: StateFilter = 'all';
  const selected = new Set<string>();
  const search = h('input', { id: 'user-search', type: 'search', autocomplete: 'off' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const table = h('div', { class: 'table-wrap' });
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by state' });

  const refresh = async () => {
    status.textContent = 'Loading users…';
    try {
      shared.users = await loadUsers(api);
      status.textContent = `${shared.users.length} users.`;
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
    draw();
  };

  const draw = () => {
    clear(filters);
    const counts = new Map<StateFilter, number>([['all', shared.users.length]]);
    for (const user of shared.users) counts.set(stateOf(user), (counts.get(stateOf(user)) ?? 0) + 1);
    for (const key of ['all', 'activated', 'not-activated', 'error', 'reconnect'] as const) {
      const button = h(
        'button',
        { type: 'button', class: 'filter', 'aria-pressed': String(filter === key), 'data-state': key },
        `${key === 'all' ? 'All' : stateLabels[key]} (${counts.get(key) ?? 0})`,
      );
      button.addEventListener('click', () => {
        filter = key;
        draw();
      });
      filters.appendChild(button);
    }
    const term = search.value.trim().toLowerCase();
    const shown = shared.users.filter(
      (user) =>
        (filter === 'all' || stateOf(user) === filter) &&
        (!term ||
          [user.displayName, user.mail, user.id].some((value) => (value ?? '').toLowerCase().includes(term))),
    );
    clear(table);
    const body = h('tbody');
    for (const user of shown) {
      const state = stateOf(user);
      const checkbox = h('input', {
        type: 'checkbox',
        'aria-label': `Select ${user.displayName ?? user.id}`,
        checked: selected.has(user.id),
      });
      checkbox.addEventListener('change', () => {
        if (checkbox.checked) selected.add(user.id);
        else selected.delete(user.id);
      });
      body.appendChild(
        h(
          'tr',
          { 'data-user-id': user.id },
          h('td', {}, checkbox),
          h('td', { class: 'name' }, user.displayName ?? '(name unavailable)'),
          h('td', {}, user.mail ?? '—'),
          h(
            'td',
            { class: 'state' },
            fluent('fluent-badge', { appearance: 'tint', color: badgeColors[state] }, stateLabels[state]),
          ),
          h('td', { class: 'reason' }, ...reasonCell(user)),
          h('td', {}, state === 'error' || state === 'reconnect' ? formatTime(user.nextRetryAt) : '—'),
          h('td', {}, formatTime(user.subscriptionExpiresAt)),
        ),
      );
    }
    table.appendChild(
      h(
        'table',
        { id: 'users-table' },
        h('caption', {}, `Users: ${filter === 'all' ? 'all states' : stateLabels[filter]}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Selected')),
            h('th', { scope: 'col' }, 'Name'),
            h('th', { scope: 'col' }, 'Mail'),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, 'Reason'),
            h('th', { scope: 'col' }, 'Next retry'),
            h('th', { scope: 'col' }, 'Subscription until'),
          ),
        ),
        body,
      ),
    );
  };
  search.addEventListener('input', draw);

  // Enable and disable: by UPN, by group, every user with a mailbox, or the selection above.
  const upns = h('textarea', { id: 'enable-upns', rows: '3' });
  const upnField = field(
    'User principal names (one a line)',
    upns,
    'To disable users, select them in the list: the API disables by object id.',
  );
  const group = h('input', { id: 'enable-group', type: 'text', autocomplete: 'off' });
  const groupField = field('Group object id', group);
  const progress = h('div', {
    class: 'progress',
    id: 'enablement-progress',
    role: 'status',
    'aria-live': 'polite',
  });

  const report = (text: string, busy = false) => {
    clear(progress);
    progress.appendChild(h('p', {}, text));
    if (busy) progress.appendChild(fluent('fluent-progress-bar', { 'aria-label': 'Enablement progress' }));
  };

  /** The counts of a job, each in its own element so that screen readers and tests can read them apart. */
  const reportJob = (job: EnablementJobProgress) => {
    clear(progress);
    progress.appendChild(
      h(
        'p',
        { id: 'enablement-state', 'data-state': job.state },
        `Enablement ${job.state}${job.reason ? `: ${job.reason}` : '.'}`,
      ),
    );
    progress.appendChild(
      h(
        'dl',
        { class: 'facts', id: 'enablement-counts' },
        h('dt', {}, 'Found'),
        h('dd', { id: 'enablement-found' }, String(job.found)),
        h('dt', {}, 'Queued'),
        h('dd', { id: 'enablement-queued' }, String(job.queued)),
        h('dt', {}, 'Not found'),
        h('dd', { id: 'enablement-not-found' }, String(job.notFound)),
      ),
    );
    if (job.state === 'running')
      progress.appendChild(fluent('fluent-progress-bar', { 'aria-label': 'Enablement progress' }));
  };

  // A job resolves names through the directory on the tenant-enablement queue; its record shows the
  // counts while it runs, so the page reads it until it is completed or failed.
  const follow = async (jobId: string) => {
    for (let round = 0; round < 600; round += 1) {
      const job = await api.call<EnablementJobProgress>('GET', `/enablement/${encodeURIComponent(jobId)}`);
      reportJob(job);
      if (job.state !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, round < 10 ? 500 : 2000));
    }
    report('The job is still running: open this page again later to see the users it enabled.');
  };

  const send = async (action: 'enable' | 'disable', body: unknown) => {
    report(`Sending ${action}…`, true);
    try {
      const answer = await api.call<{ queued?: number; jobId?: string }>('POST', `/users/${action}`, body);
      if (answer.jobId) await follow(answer.jobId);
      else report(`${action === 'enable' ? 'Enable' : 'Disable'}: ${answer.queued ?? 0} users queued.`);
      await refresh();
    } catch (error) {
      report(
        error instanceof ApiError
          ? `Refused (${error.status}): ${error.message}`
          : `Failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  const button = (label: string, id: string, onClick: () => void, primary = false) => {
    const element = h('button', { type: 'button', id, class: primary ? 'btn primary' : 'btn' }, label);
    element.addEventListener('click', onClick);
    return element;
  };

  const lines = () =>
    upns.value
      .split(/[\s,;]+/)
      .map((line) => line.trim())
      .filter(Boolean);

  root.append(
    h('h1', {}, 'Tenants and users'),
    h(
      'p',
      { class: 'lede' },
      `Tenant ${api.tenantId}. Names and mail are read from the directory for this view and never stored.`,
    ),
    h(
      'div',
      { class: 'toolbar' },
      field('Search by name, mail or id', search).wrapper,
      filters,
      button('Refresh', 'users-refresh', () => void refresh()),
    ),
    status,
    table,
    h(
      'section',
      { 'aria-labelledby': 'enable-heading', class: 'card' },
      h('h2', { id: 'enable-heading' }, 'Enable or disable'),
      h(
        'div',
        { class: 'row' },
        button(
          'Enable selected',
          'enable-selected',
          () => void send('enable', { userIds: [...selected] }),
          true,
        ),
        button(
          'Disable selected',
          'disable-selected',
          () => void send('disable', { userIds: [...selected] }),
        ),
      ),
      upnField.wrapper,
      h(
        'div',
        { class: 'row' },
        button(
          'Enable these users',
          'enable-upns-button',
          () => void send('enable', { userPrincipalNames: lines() }),
        ),
      ),
      groupField.wrapper,
      h(
        'div',
        { class: 'row' },
        button(
          'Enable the group',
          'enable-group-button',
          () => void send('enable', { groupId: group.value.trim() }),
        ),
        button(
          'Enable everyone with a mailbox',
          'enable-all-button',
          () => void send('enable', { allUsersWithMailbox: true }),
        ),
      ),
      progress,
    ),
  );
  draw();
  void refresh();
}
