import { checkHealth, type HealthProbe } from '../shared/health/checkHealth.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `GET /api/health`: each dependency's status; 200 when all are up, 503 otherwise. */
export const healthFunction: HttpFunctionDefinition<readonly HealthProbe[]> = {
  kind: 'http',
  name: 'health',
  route: 'health',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: {
    get: {
      summary: 'Status of every dependency',
      responses: { '200': 'All up', '503': 'Something is down' },
    },
  },
  async handle(_request, probes) {
    const report = await checkHealth(probes);
    return {
      status: report.status === 'up' ? 200 : 503,
      jsonBody: report,
      headers: { 'cache-control': 'no-store' },
    };
  },
};
