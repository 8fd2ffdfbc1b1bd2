import type { Services } from '../shared/composition.js';
import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { openApiDocument } from '../shared/hosting/openApiDocument.js';

/** `GET /api/openapi.json`: the OpenAPI document of the whole HTTP surface. */
export const openApiFunction: HttpFunctionDefinition<Services> = {
  kind: 'http',
  name: 'openApi',
  route: 'openapi.json',
  methods: ['GET'],
  async handle(_request, services) {
    return { status: 200, jsonBody: openApiDocument(`${services.settings.publicBaseUrl}/api`) };
  },
};
