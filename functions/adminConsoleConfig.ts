import type { ConsoleContext } from '../shared/console/consoleShell.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `GET /api/console-config.json`: where the console signs in (authority, client id, scope, role). */
export const adminConsoleConfigFunction: HttpFunctionDefinition<ConsoleContext> = {
  kind: 'http',
  name: 'adminConsoleConfig',
  route: 'console-config.json',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary: 'The admin console’s sign-in configuration',
      responses: { '200': '{authority, clientId, scope, adminRole}' },
    },
  },
  async handle(_request, console) {
    return {
      status: 200,
      jsonBody: console.configuration,
      headers: { 'cache-control': 'no-cache' },
    };
  },
};
