import {
  type ConnectContext,
  startConnect,
  startConnectQuerySchema,
} from '../shared/connect/connectCalendar.js';
import { pageHeaders, renderPage } from '../shared/connect/connectPages.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { signInRedirect } from '../shared/html/serverPages.js';

/** `GET /api/connect?login_hint=`: "connect your calendar" starts: off to the identity platform's sign-in. */
export const connectStartFunction: HttpFunctionDefinition<ConnectContext> = {
  kind: 'http',
  name: 'connectStart',
  route: 'connect',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary:
        'Connect your calendar: redirects to Microsoft sign-in (authorization code with PKCE, offline_access, Calendars.ReadWrite, MailboxSettings.ReadWrite, User.Read)',
      query: { login_hint: 'the user principal name or object id of who signs in (optional)' },
      responses: {
        '302':
          'To the sign-in page, with a short-lived cookie (Path=/api/connect) binding the sign-in to this browser',
        '400': 'An HTML page naming the bad input',
      },
    },
  },
  async handle(request, connect) {
    const query = startConnectQuerySchema.safeParse(Object.fromEntries(request.query));
    if (!query.success) {
      return {
        status: 400,
        headers: pageHeaders,
        body: renderPage('Connect your calendar', ['The link is not valid: login_hint is too long.']),
      };
    }
    const { location, setCookie } = await startConnect(connect, query.data.login_hint);
    return signInRedirect(location, { 'set-cookie': setCookie });
  },
};
