import '@fluentui/web-components/badge.js';
import '@fluentui/web-components/progress-bar.js';
import { webLightTheme } from '@fluentui/tokens';
import { setTheme } from '@fluentui/web-components/theme/set-theme.js';
import { AdminApi } from './adminApi.js';
import { clear, field, h } from './dom.js';
import {
  renderApiReferencePage,
  renderDeadLettersPage,
  renderSettingsPage,
  renderTestBenchPage,
  renderTracePage,
} from './otherPages.js';
import { type ConsoleConfiguration, completeSignIn, type Session, startSignIn } from './signIn.js';
import { type ListedUser, loadUsers, renderUsersPage } from './usersPage.js';

setTheme(webLightTheme);

const pages = [
  ['users', 'Tenants and users'],
  ['trace', 'Meeting trace'],
  ['dead-letters', 'Dead letters'],
  ['settings', 'Tenant settings'],
  ['test-bench', 'Join-link test bench'],
  ['api', 'API reference'],
] as const;
type Page = (typeof pages)[number][0];

const app = document.getElementById('app') as HTMLElement;

function showSignIn(configuration: ConsoleConfiguration, problem?: string): void {
  clear(app);
  const hint = h('input', { id: 'login-hint', type: 'email', autocomplete: 'username' });
  const form = h(
    'form',
    { class: 'card sign-in' },
    h('h1', {}, 'Hybrid Calendar admin console'),
    h('p', {}, 'Sign in with an account that holds the administrator role of this app.'),
    field('Account (optional: the sign-in page asks otherwise)', hint).wrapper,
    h('button', { type: 'submit', class: 'btn primary', id: 'sign-in' }, 'Sign in'),
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : null,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void startSignIn(configuration, hint.value);
  });
  app.appendChild(h('main', { id: 'main' }, form));
  hint.focus();
}

function showRefusal(configuration: ConsoleConfiguration, session: Session): void {
  clear(app);
  const again = h(
    'button',
    { type: 'button', class: 'btn', id: 'sign-in-other' },
    'Sign in with another account',
  );
  again.addEventListener('click', () => showSignIn(configuration));
  app.appendChild(
    h(
      'main',
      { id: 'main' },
      h(
        'section',
        { class: 'card refusal', role: 'alert', id: 'refusal' },
        h('h1', {}, 'Access refused'),
        h(
          'p',
          {},
          `${session.name || session.username} is signed in, but does not hold the ${configuration.adminRole} role of this app. Ask an administrator of your tenant to assign it.`,
        ),
        again,
      ),
    ),
  );
}

function showConsole(configuration: ConsoleConfiguration, session: Session): void {
  const api = new AdminApi(session);
  const shared: { users: ListedUser[] } = { users: [] };
  clear(app);
  const nav = h('nav', { 'aria-label': 'Pages' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const signOut = h('button', { type: 'button', class: 'btn', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => showSignIn(configuration));
  // The fragment routes pages, so the skip link moves focus itself rather than through `#main`.
  const skip = h('a', { href: '#main', class: 'skip-link' }, 'Skip to content');
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  app.append(
    skip,
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Hybrid Calendar'),
      h('span', { class: 'who', id: 'signed-in-as' }, `${session.name} (${session.username})`),
      signOut,
    ),
    h('div', { class: 'layout' }, nav, main),
  );
  const show = async (page: Page) => {
    for (const link of nav.querySelectorAll('a'))
      link.setAttribute('aria-current', link.dataset.page === page ? 'page' : 'false');
    clear(main);
    if (page === 'trace' && shared.users.length === 0) shared.users = await loadUsers(api).catch(() => []);
    if (page === 'users') renderUsersPage(main, api, shared);
    if (page === 'trace') renderTracePage(main, api, shared);
    if (page === 'dead-letters') renderDeadLettersPage(main, api);
    if (page === 'settings') renderSettingsPage(main, api);
    if (page === 'test-bench') renderTestBenchPage(main, api);
    if (page === 'api') renderApiReferencePage(main);
    main.focus();
  };
  for (const [page, label] of pages) {
    const link = h('a', { href: `#${page}`, 'data-page': page }, label);
    nav.appendChild(link);
  }
  // The fragment names a page, never a person: user ids and mail stay in memory.
  const current = () => (pages.find(([page]) => `#${page}` === window.location.hash)?.[0] ?? 'users') as Page;
  window.addEventListener('hashchange', () => void show(current()));
  void show(current());
}

async function start(): Promise<void> {
  const response = await fetch('/api/console-config.json');
  const configuration = (await response.json()) as ConsoleConfiguration;
  try {
    const session = await completeSignIn(configuration);
    if (!session) return showSignIn(configuration);
    if (!session.roles.includes(configuration.adminRole)) return showRefusal(configuration, session);
    showConsole(configuration, session);
  } catch (error) {
    showSignIn(configuration, error instanceof Error ? error.message : String(error));
  }
}

void start();
