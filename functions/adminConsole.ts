import { assetPathOf, type ConsoleContext, consoleHeaders } from '../shared/console/consoleShell.js';
import { AppError } from '../shared/errors.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/**
 * `GET /api/console` and its assets: the admin console's static shell, anonymous (it holds no
 * data; everything it shows comes from the admin API with the administrator's token), under a
 * strict Content-Security-Policy.
 */
export const adminConsoleFunction: HttpFunctionDefinition<ConsoleContext> = {
  kind: 'http',
  name: 'adminConsole',
  route: 'console/{*path}',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary: 'The admin console (static files; sign-in happens in the browser)',
      responses: { '200': 'HTML, script, style or image', '404': 'No such file' },
    },
  },
  async handle(request, console) {
    const { file, contentType } = assetPathOf(request.params.path);
    const bytes = await console.assets.read(file);
    if (!bytes) throw new AppError('not-found', 'No such console file.');
    return { status: 200, body: bytes, headers: consoleHeaders(console.configuration, contentType) };
  },
};
