import type { Services } from '../shared/composition.js';
import { checkHealth } from '../shared/health/checkHealth.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';

/** `GET /api/health`: each dependency's status; 200 when all are up, 503 otherwise. */
export const healthFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'health',
  route: 'health',
  methods: ['GET'],
  async handle(_request, services) {
    const report = await checkHealth(services.healthProbes);
    return {
      status: report.status === 'up' ? 200 : 503,
      jsonBody: report,
      headers: { 'cache-control': 'no-store' },
    };
  },
};
