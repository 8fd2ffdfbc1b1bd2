import { type AdminApi, ApiError } from './adminApi.js';
import { renderCloudEventEndpoints } from './cloudEventsSection.js';
import { clear, field, formatTime, h, problemsOf, showFieldError } from './dom.js';
import type { ListedUser } from './usersPage.js';

const messageOf = (error: unknown) =>
  error instanceof ApiError
    ? `${error.message} (${error.status})`
    : error instanceof Error
      ? error.message
      : String(error);

interface TraceEntry {
  at: string;
  source: string;
  changeType: string;
  outcome: string;
  rule: string | null;
  language: string | null;
  graph: string | null;
  detail: string | null;
}

const sources: Record<string, string> = {
  notification: 'a change notification from Graph',
  'initial-sync': 'the first sync of the calendar',
  resync: 'a resync of the calendar',
  reconciliation: 'the periodic reconciliation',
};

/** One trace entry in plain words: what came in, what was found, what was done, what Graph said. */
export function describeTraceEntry(entry: TraceEntry): string[] {
  const words = [
    `${formatTime(entry.at)}: ${entry.changeType} event, from ${sources[entry.source] ?? entry.source}.`,
  ];
  if (entry.rule) words.push(`Rule: ${entry.rule}.`);
  if (entry.language) words.push(`Language of the join block: ${entry.language}.`);
  const outcomes: Record<string, string> = {
    decorated: 'The join block was written into the invitation.',
    undecorated: 'The join block was removed.',
    removed: 'The meeting record was removed.',
    recorded: 'The meeting record was written; the invitation was left as it was.',
    failed: 'Processing failed.',
  };
  words.push(outcomes[entry.outcome] ?? `Outcome: ${entry.outcome}.`);
  if (entry.graph) words.push(`Graph answered ${entry.graph}.`);
  if (entry.detail) words.push(entry.detail);
  return words;
}

export function renderTracePage(root: HTMLElement, api: AdminApi, shared: { users: ListedUser[] }): void {
  const user = h('select', { id: 'trace-user' });
  for (const listed of shared.users)
    user.appendChild(
      h(
        'option',
        { value: listed.id },
        `${listed.displayName ?? listed.id}${listed.mail ? ` <${listed.mail}>` : ''}`,
      ),
    );
  const eventId = h('input', { id: 'trace-event', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const eventField = field(
    'Event id (Graph)',
    eventId,
    'From Outlook on the web or Graph Explorer; it stays on this page.',
  );
  const results = h('div', { id: 'trace-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card' },
    field('User', user).wrapper,
    eventField.wrapper,
    h('button', { type: 'submit', class: 'btn primary', id: 'trace-show' }, 'Show the decisions'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear(results);
      showFieldError(eventId, eventField.error, eventId.value.trim() ? undefined : 'Enter an event id.');
      if (!eventId.value.trim()) return;
      try {
        const { entries } = await api.call<{ entries: TraceEntry[] }>(
          'GET',
          `/users/${encodeURIComponent(user.value)}/trace?eventId=${encodeURIComponent(eventId.value.trim())}`,
        );
        const list = h('ol', { class: 'trace' });
        for (const entry of entries)
          list.appendChild(h('li', {}, ...describeTraceEntry(entry).map((line) => h('p', {}, line))));
        results.append(h('h2', {}, `Decisions, in order (${entries.length})`), list);
      } catch (error) {
        results.appendChild(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
      }
    })();
  });
  root.append(
    h('h1', {}, 'Meeting trace'),
    h(
      'p',
      { class: 'lede' },
      'Why a meeting was, or was not, decorated: every decision on the event, without its content.',
    ),
    form,
    results,
  );
}

interface DeadLetterRecord {
  queue: string;
  messageId: string | null;
  reason: string;
  description: string;
  deadLetteredAt: string;
}

export function renderDeadLettersPage(root: HTMLElement, api: AdminApi): void {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const content = h('div');
  const redrive = async (body: unknown) => {
    try {
      const answer = await api.call<{ redriven: number; notFound: number }>(
        'POST',
        '/dead-letters/redrive',
        body,
      );
      await load();
      status.textContent = `Re-driven: ${answer.redriven}; no longer in the dead-letter queue: ${answer.notFound}.`;
    } catch (error) {
      status.textContent = messageOf(error);
    }
  };
  const load = async () => {
    clear(content);
    try {
      const { counts, records } = await api.call<{
        counts: Record<string, number>;
        records: DeadLetterRecord[];
      }>('GET', '/dead-letters');
      const countRows = Object.entries(counts).map(([reason, count]) => {
        const button = h('button', { type: 'button', class: 'btn' }, `Re-drive all “${reason}”`);
        button.addEventListener('click', () => void redrive({ reason }));
        return h('tr', {}, h('th', { scope: 'row' }, reason), h('td', {}, count), h('td', {}, button));
      });
      const recordRows = records.map((record) => {
        const button = h(
          'button',
          { type: 'button', class: 'btn', 'aria-label': `Re-drive message ${record.messageId ?? ''}` },
          'Re-drive',
        );
        button.addEventListener(
          'click',
          () => void redrive({ messageId: record.messageId, queue: record.queue }),
        );
        return h(
          'tr',
          { class: 'dead-letter' },
          h('td', {}, formatTime(record.deadLetteredAt)),
          h('td', {}, record.queue),
          h('td', {}, record.reason),
          h('td', { class: 'wrap' }, record.description),
          h('td', { class: 'mono' }, record.messageId ?? '—'),
          h('td', {}, record.messageId ? button : ''),
        );
      });
      const all = h('button', { type: 'button', class: 'btn spaced', id: 'redrive-all' }, 'Re-drive all');
      all.addEventListener('click', () => void redrive({ all: true }));
      content.append(
        h('h2', {}, 'By reason'),
        Object.keys(counts).length === 0
          ? h('p', { id: 'no-dead-letters' }, 'No dead letters in the last 14 days.')
          : h(
              'table',
              { id: 'dead-letter-counts' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Reason'),
                  h('th', { scope: 'col' }, 'Count'),
                  h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
                ),
              ),
              h('tbody', {}, ...countRows),
            ),
        h('h2', {}, 'Letters (newest first)'),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'dead-letters' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['When', 'Queue', 'Reason', 'Description', 'Message id'].map((name) =>
                  h('th', { scope: 'col' }, name),
                ),
                h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
              ),
            ),
            h('tbody', {}, ...recordRows),
          ),
        ),
        records.length > 0 ? all : '',
      );
    } catch (error) {
      content.appendChild(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
    }
  };
  root.append(
    h('h1', {}, 'Dead letters'),
    h(
      'p',
      { class: 'lede' },
      'Messages the service gave up on, by reason (no message bodies). Re-driving sends them back to their queue.',
    ),
    status,
    content,
  );
  void load();
}

const languages = ['en', 'sv', 'tr', 'de', 'fr', 'es', 'ja'] as const;
const templateFields = [
  ['heading', 'Heading'],
  ['link', 'Link label'],
  ['meetingNumber', 'Meeting number label'],
  ['videoSystem', 'Video system label'],
  ['phone', 'Phone label'],
] as const;

/** The Join notification channels (`joinChannels` of the tenant settings), in plain words. */
const joinChannels = [
  ['webex-message', 'Webex message: a Join button from the bot to each person'],
  ['room-bookings', 'Room devices: the booking list of each booked room’s RoomOS device'],
  ['cloudevents', 'CloudEvents to the endpoints below'],
  ['console', 'Console log (local runs only)'],
] as const;

interface Settings {
  [field: string]: unknown;
  keywords: Record<string, string>;
  defaultLanguage: string;
  templates: Partial<Record<string, Partial<Record<string, string>>>>;
  leadTimeMinutes: number;
  joinChannels?: string[];
}

export function renderSettingsPage(root: HTMLElement, api: AdminApi): void {
  const keywords = h('textarea', { id: 'settings-keywords', rows: '4', spellcheck: 'false' });
  const keywordsField = field('Keywords (one a line: @keyword = personal-room or space)', keywords);
  const defaultLanguage = h('select', { id: 'settings-language' });
  for (const language of languages) defaultLanguage.appendChild(h('option', { value: language }, language));
  const languageField = field('Default language', defaultLanguage);
  const leadTime = h('input', { id: 'settings-lead-time', type: 'number', min: '0', max: '60', step: '1' });
  const leadField = field('Join notification lead time (minutes, 0 to 60)', leadTime);
  const editLanguage = h('select', { id: 'template-language' });
  for (const language of languages) editLanguage.appendChild(h('option', { value: language }, language));
  const templateInputs = new Map<
    string,
    { input: HTMLInputElement; error: HTMLElement; wrapper: HTMLElement }
  >();
  for (const [name, label] of templateFields) {
    const input = h('input', { id: `template-${name}`, type: 'text', autocomplete: 'off' });
    const { wrapper, error } = field(label, input, 'Empty keeps the built-in words.');
    templateInputs.set(name, { input, error, wrapper });
  }
  const channelBoxes = new Map<string, HTMLInputElement>();
  for (const [channel] of joinChannels)
    channelBoxes.set(channel, h('input', { type: 'checkbox', id: `channel-${channel}`, value: channel }));
  const channelsError = h('p', { class: 'field-error', id: 'settings-channels-error', role: 'alert' });
  const channelsFieldset = h(
    'fieldset',
    { id: 'settings-channels', 'aria-describedby': 'settings-channels-error' },
    h('legend', {}, 'Join notification channels'),
    ...joinChannels.map(([channel, label]) =>
      h(
        'div',
        { class: 'check' },
        channelBoxes.get(channel),
        h('label', { for: `channel-${channel}` }, label),
      ),
    ),
    channelsError,
  );
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const previews = h('div', { class: 'previews', id: 'previews' });
  let settings: Settings = { keywords: {}, defaultLanguage: 'en', templates: {}, leadTimeMinutes: 5 };

  const readForm = (): Record<string, unknown> => {
    const language = editLanguage.value;
    const words: Record<string, string> = {};
    for (const [name, { input }] of templateInputs) if (input.value.trim() !== '') words[name] = input.value;
    const templates = { ...settings.templates };
    if (Object.keys(words).length > 0) templates[language] = words;
    else delete templates[language];
    settings.templates = templates;
    const keywordMap: Record<string, string> = {};
    for (const line of keywords.value.split('\n')) {
      if (!line.trim()) continue;
      const [word, kind] = line.split('=').map((part) => part.trim());
      keywordMap[word ?? ''] = kind ?? '';
    }
    // PUT replaces the settings: fields this page does not edit (added by later features) go back as read.
    return {
      ...settings,
      keywords: keywordMap,
      defaultLanguage: defaultLanguage.value,
      templates,
      leadTimeMinutes: leadTime.value === '' ? Number.NaN : Number(leadTime.value),
      joinChannels: joinChannels
        .map(([channel]) => channel)
        .filter((channel) => channelBoxes.get(channel)?.checked),
    };
  };

  const fillTemplate = () => {
    const words = settings.templates[editLanguage.value] ?? {};
    for (const [name, { input }] of templateInputs) input.value = words[name] ?? '';
  };

  // The API names each problem as `path: reason`; each goes under its field.
  const showProblems = (message: string | undefined) => {
    const problems = problemsOf(message);
    const find = (prefix: string) =>
      [...problems]
        .filter(([path]) => path === prefix || path.startsWith(`${prefix}.`))
        .map(([, reason]) => reason)
        .join('; ') || undefined;
    showFieldError(keywords, keywordsField.error, find('keywords'));
    showFieldError(defaultLanguage, languageField.error, find('defaultLanguage'));
    showFieldError(
      leadTime,
      leadField.error,
      leadTime.value === '' ? 'Enter a number of minutes.' : find('leadTimeMinutes'),
    );
    for (const [name, { input, error }] of templateInputs)
      showFieldError(input, error, find(`templates.${editLanguage.value}.${name}`));
    showFieldError(channelsFieldset, channelsError, find('joinChannels'));
    return problems.size > 0;
  };

  let previewRound = 0;
  const preview = async () => {
    const round = ++previewRound;
    try {
      const { previews: blocks } = await api.call<{ previews: Array<{ language: string; html: string }> }>(
        'POST',
        '/settings/preview',
        readForm(),
      );
      if (round !== previewRound) return;
      showProblems(undefined);
      clear(previews);
      for (const block of blocks) {
        const body = h('div', { class: 'preview-body', 'data-language': block.language });
        // The service's own renderer escaped every value: this is the block attendees will get.
        body.innerHTML = block.html;
        previews.appendChild(h('figure', { class: 'preview' }, h('figcaption', {}, block.language), body));
      }
    } catch (error) {
      if (round !== previewRound) return;
      if (!(error instanceof ApiError && showProblems(error.message))) status.textContent = messageOf(error);
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedulePreview = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void preview(), 250);
  };
  for (const { input } of templateInputs.values()) input.addEventListener('input', schedulePreview);
  for (const control of [keywords, leadTime, defaultLanguage])
    control.addEventListener('input', schedulePreview);
  editLanguage.addEventListener('change', () => {
    fillTemplate();
    void preview();
  });

  const form = h(
    'form',
    { class: 'card', id: 'settings-form', novalidate: true },
    keywordsField.wrapper,
    languageField.wrapper,
    leadField.wrapper,
    channelsFieldset,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Join block words'),
      field('Language to edit', editLanguage).wrapper,
      ...[...templateInputs.values()].map(({ wrapper }) => wrapper),
    ),
    h('button', { type: 'submit', class: 'btn primary', id: 'settings-save' }, 'Save settings'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const body = readForm();
        if (Number.isNaN(body.leadTimeMinutes)) {
          showProblems(undefined);
          return;
        }
        settings = await api.call<Settings>('PUT', '/settings', body);
        showProblems(undefined);
        status.textContent = 'Saved. This instance uses the settings now, others within a minute.';
      } catch (error) {
        if (!(error instanceof ApiError && showProblems(error.message)))
          status.textContent = messageOf(error);
        else status.textContent = 'Not saved: see the reasons next to the fields.';
      }
    })();
  });

  root.append(
    h('h1', {}, 'Tenant settings'),
    h(
      'div',
      { class: 'split' },
      form,
      h(
        'section',
        { 'aria-labelledby': 'preview-heading' },
        h('h2', { id: 'preview-heading' }, 'Live preview, every language'),
        previews,
      ),
    ),
    renderCloudEventEndpoints(api),
  );
  void (async () => {
    try {
      settings = await api.call<Settings>('GET', '/settings');
      keywords.value = Object.entries(settings.keywords)
        .map(([word, kind]) => `${word} = ${kind}`)
        .join('\n');
      defaultLanguage.value = settings.defaultLanguage;
      leadTime.value = String(settings.leadTimeMinutes);
      for (const [channel, box] of channelBoxes)
        box.checked = (settings.joinChannels ?? joinChannels.map(([name]) => name)).includes(channel);
      fillTemplate();
      await preview();
    } catch (error) {
      status.textContent = messageOf(error);
    }
  })();
}

export function renderTestBenchPage(root: HTMLElement, api: AdminApi): void {
  const location = h('input', { id: 'bench-location', type: 'text', autocomplete: 'off' });
  const body = h('textarea', { id: 'bench-body', rows: '12', spellcheck: 'false' });
  const bodyField = field('Invitation body (HTML or text, pasted)', body);
  const kind = h('select', { id: 'bench-type' });
  for (const [value, label] of [
    ['auto', 'Tell from the text'],
    ['html', 'HTML'],
    ['text', 'Plain text'],
  ])
    kind.appendChild(h('option', { value }, label));
  const results = h('div', { id: 'bench-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card' },
    field('Location', location).wrapper,
    bodyField.wrapper,
    field('Body format', kind).wrapper,
    h('button', { type: 'submit', class: 'btn primary', id: 'bench-run' }, 'Detect'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear(results);
      const bodyType =
        kind.value === 'auto' ? (/<[a-z!/][^>]*>/i.test(body.value) ? 'html' : 'text') : kind.value;
      try {
        const answer = await api.call<{
          keyword: { text: string; kind: string } | null;
          addresses: Array<{ kind: string; address: string }>;
          join: { link: string | null; sipAddress: string | null };
        }>('POST', '/join-link-test', { location: location.value, body: body.value, bodyType });
        showFieldError(body, bodyField.error, undefined);
        results.append(
          h('h2', {}, 'What the service detects'),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Keyword'),
            h(
              'dd',
              { id: 'bench-keyword' },
              answer.keyword
                ? `${answer.keyword.text} (${answer.keyword.kind})`
                : 'none: the invitation is not decorated',
            ),
            h('dt', {}, 'Decoration'),
            h(
              'dd',
              { id: 'bench-decoration' },
              answer.keyword
                ? `a Webex join block (${answer.keyword.kind === 'space' ? 'space meeting with the invitees' : 'the organiser’s Personal Room'}) is written into the invitation`
                : 'none',
            ),
            h('dt', {}, 'Join link'),
            h('dd', { id: 'bench-join-link', class: 'mono' }, answer.join.link ?? 'none'),
            h('dt', {}, 'Video address'),
            h('dd', { id: 'bench-sip', class: 'mono' }, answer.join.sipAddress ?? 'none'),
            h('dt', {}, 'Format read as'),
            h('dd', {}, bodyType),
          ),
          h('h3', {}, `Addresses found, in order (${answer.addresses.length})`),
          h(
            'ol',
            { id: 'bench-addresses' },
            ...answer.addresses.map((address) =>
              h(
                'li',
                {},
                h('span', { class: 'tag' }, address.kind),
                ' ',
                h('span', { class: 'mono' }, address.address),
              ),
            ),
          ),
        );
      } catch (error) {
        showFieldError(body, bodyField.error, messageOf(error));
      }
    })();
  });
  root.append(
    h('h1', {}, 'Join-link test bench'),
    h(
      'p',
      { class: 'lede' },
      'Paste an invitation to see what the service would detect, with this tenant’s keywords. Nothing is stored.',
    ),
    form,
    results,
  );
}

/** The OpenAPI document in Swagger UI, served from this app (no CDN). */
export function renderApiReferencePage(root: HTMLElement): void {
  const container = h('div', { id: 'swagger' });
  root.append(h('h1', {}, 'API reference'), container);
  const start = () =>
    (window as unknown as { SwaggerUIBundle: (options: Record<string, unknown>) => void }).SwaggerUIBundle({
      url: '/api/openapi.json',
      domNode: container,
      deepLinking: false,
    });
  if ('SwaggerUIBundle' in window) {
    start();
    return;
  }
  if (!document.querySelector('link[data-swagger]'))
    document.head.appendChild(
      h('link', { rel: 'stylesheet', href: '/api/console/swagger/swagger-ui.css', 'data-swagger': 'true' }),
    );
  const script = h('script', { src: '/api/console/swagger/swagger-ui-bundle.js' });
  script.addEventListener('load', start);
  document.head.appendChild(script);
}
