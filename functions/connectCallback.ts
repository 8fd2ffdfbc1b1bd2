import { clearBrowserBindingCookie, presentedBinding } from '../shared/connect/connectBrowserBinding.js';
import {
  type ConnectContext,
  type ConnectOutcome,
  completeConnect,
  connectCallbackQuerySchema,
} from '../shared/connect/connectCalendar.js';
import { pageHeaders, renderPage } from '../shared/connect/connectPages.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

const refusals: Record<Exclude<ConnectOutcome, { kind: 'connected' }>['reason'], string> = {
  'state-forged': 'This sign-in link was not issued by this service. Start again from the connect link.',
  'state-expired': 'This sign-in took longer than 10 minutes. Start again from the connect link.',
  'state-replayed': 'This sign-in was already used. Start again from the connect link.',
  'other-browser':
    'This sign-in was not started in this browser, so nothing was connected. Start again from the connect link in this browser.',
  'sign-in-failed': 'Microsoft sign-in did not complete, so nothing was connected.',
  'code-refused':
    'Microsoft refused the sign-in code, so nothing was connected. Start again from the connect link.',
};

/** `GET /api/connect/callback`: the identity platform's answer; the calendar is connected or a page says why not. */
export const connectCallbackFunction: HttpFunctionDefinition<ConnectContext> = {
  kind: 'http',
  name: 'connectCallback',
  route: 'connect/callback',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary:
        'Redirect URL of "connect your calendar": checks the state, redeems the code, watches the calendar',
      query: { code: 'authorization code', state: 'the signed state', error: 'the sign-in error, if any' },
      responses: {
        '200': 'An HTML page: connected',
        '400':
          'An HTML page: forged, expired or replayed state, a sign-in started in another browser (no or another binding cookie), refused sign-in, bad input',
      },
    },
  },
  async handle(request, connect) {
    const query = connectCallbackQuerySchema.safeParse(Object.fromEntries(request.query));
    if (!query.success) {
      return {
        status: 400,
        headers: pageHeaders,
        body: renderPage('Calendar not connected', ['The answer from Microsoft sign-in was not understood.']),
      };
    }
    const outcome = await completeConnect(
      connect,
      query.data,
      presentedBinding(request.headers.get('cookie')),
    );
    // The binding is single use like the state: gone whatever the outcome.
    const headers = { ...pageHeaders, 'set-cookie': clearBrowserBindingCookie };
    if (outcome.kind === 'connected') {
      return {
        status: 200,
        headers,
        body: renderPage('Your calendar is connected', [
          'Meetings in your calendar whose location says @webex now get their join details.',
          'You can close this page.',
        ]),
      };
    }
    return {
      status: 400,
      headers,
      body: renderPage('Calendar not connected', [
        refusals[outcome.reason],
        ...(outcome.detail ? [`Reason: ${outcome.detail}`] : []),
      ]),
    };
  },
};
