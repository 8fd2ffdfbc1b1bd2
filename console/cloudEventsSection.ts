import { type AdminApi, ApiError } from './adminApi.js';
import { clear, field, h, problemsOf, showFieldError } from './dom.js';

interface EndpointsView {
  endpoints: Array<{ url: string; secretSet: boolean }>;
}

/**
 * The tenant's CloudEvents endpoints (`…/settings/cloudevents`). A secret is write-only: the API
 * never returns one, so the page lists URLs with "secret set", and sends an endpoint it already knows
 * without `secret`, which keeps the stored one.
 */
export function renderCloudEventEndpoints(api: AdminApi): HTMLElement {
  const url = h('input', {
    id: 'cloudevents-url',
    type: 'url',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'https://',
  });
  const urlField = field('Endpoint URL (https)', url);
  // A password field: the secret is not echoed on screen and browsers do not offer to remember it.
  const secret = h('input', {
    id: 'cloudevents-secret',
    type: 'password',
    autocomplete: 'new-password',
    spellcheck: 'false',
  });
  const secretField = field(
    'Signing secret',
    secret,
    'whsec_ followed by base64 (Standard Webhooks). Write-only: it is never shown again.',
  );
  const list = h('ul', { class: 'endpoints', id: 'cloudevents-endpoints' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  let known: string[] = [];

  const show = (view: EndpointsView) => {
    known = view.endpoints.map((endpoint) => endpoint.url);
    clear(list);
    if (known.length === 0)
      list.appendChild(h('li', {}, 'No endpoint: the cloudevents channel sends nothing.'));
    for (const endpoint of view.endpoints) {
      const remove = h(
        'button',
        { type: 'button', class: 'btn', 'aria-label': `Remove ${endpoint.url}` },
        'Remove',
      );
      remove.addEventListener('click', () => {
        void save(
          known.filter((candidate) => candidate !== endpoint.url).map((candidate) => ({ url: candidate })),
          'Removed.',
        );
      });
      list.appendChild(
        h(
          'li',
          { 'data-url': endpoint.url },
          h('span', { class: 'wrap' }, endpoint.url),
          ' ',
          h('span', { class: 'tag' }, endpoint.secretSet ? 'secret set' : 'no secret'),
          ' ',
          remove,
        ),
      );
    }
  };

  // The API names a problem as `endpoints.<n>.url: reason`; the new endpoint is the last one sent.
  const showProblems = (message: string | undefined, newIndex: number): boolean => {
    const problems = problemsOf(message);
    let urlProblem = problems.get(`endpoints.${newIndex}.url`);
    let secretProblem = problems.get(`endpoints.${newIndex}.secret`);
    const listProblem = problems.get('endpoints');
    if (listProblem) urlProblem = urlProblem ? `${urlProblem}; ${listProblem}` : listProblem;
    if (!urlProblem && !secretProblem && message && /secret/.test(message)) secretProblem = message;
    showFieldError(url, urlField.error, urlProblem);
    showFieldError(secret, secretField.error, secretProblem);
    return Boolean(urlProblem || secretProblem);
  };

  const save = async (endpoints: Array<{ url: string; secret?: string }>, done: string, newIndex = -1) => {
    status.textContent = 'Saving…';
    try {
      show(await api.call<EndpointsView>('PUT', '/settings/cloudevents', { endpoints }));
      showProblems(undefined, newIndex);
      status.textContent = done;
      return true;
    } catch (error) {
      const byField = error instanceof ApiError && newIndex >= 0 && showProblems(error.message, newIndex);
      status.textContent = byField
        ? 'Not saved: see the reasons next to the fields.'
        : error instanceof Error
          ? error.message
          : String(error);
      return false;
    }
  };

  const form = h(
    'form',
    { class: 'card', id: 'cloudevents-form', novalidate: true, 'aria-labelledby': 'cloudevents-heading' },
    h('h2', { id: 'cloudevents-heading' }, 'CloudEvents endpoints'),
    h(
      'p',
      { class: 'hint' },
      'Join notifications and presence changes go to these endpoints as CloudEvents, signed with each endpoint’s secret.',
    ),
    list,
    urlField.wrapper,
    secretField.wrapper,
    h('button', { type: 'submit', class: 'btn primary', id: 'cloudevents-add' }, 'Add endpoint'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const newUrl = url.value.trim();
    const newSecret = secret.value.trim();
    if (!newSecret && !known.includes(newUrl)) {
      showFieldError(url, urlField.error, newUrl ? undefined : 'Enter the endpoint’s URL.');
      showFieldError(secret, secretField.error, 'A new endpoint needs its secret (whsec_…).');
      status.textContent = 'Not saved: see the reasons next to the fields.';
      return;
    }
    const others = known.filter((candidate) => candidate !== newUrl).map((candidate) => ({ url: candidate }));
    const endpoints = [...others, { url: newUrl, ...(newSecret ? { secret: newSecret } : {}) }];
    void (async () => {
      if (await save(endpoints, 'Saved. The secret is stored sealed and never shown.', others.length)) {
        url.value = '';
        secret.value = '';
      }
    })();
  });

  void (async () => {
    try {
      show(await api.call<EndpointsView>('GET', '/settings/cloudevents'));
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  })();
  return form;
}
