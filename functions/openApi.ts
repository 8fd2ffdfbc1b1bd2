import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { type DescribedRoute, renderOpenApi } from '../shared/hosting/openApiDocument.js';

/** What the document is made of: the app's own routes and where it is served. */
export interface OpenApiContext {
  serverUrl: string;
  routes(): readonly DescribedRoute[];
}

/** `GET /api/openapi.json`: the OpenAPI document of the whole HTTP surface. */
export const openApiFunction: HttpFunctionDefinition<OpenApiContext> = {
  kind: 'http',
  name: 'openApi',
  route: 'openapi.json',
  methods: ['GET'],
  access: { kind: 'anonymous' },
  describe: { get: { summary: 'This document', responses: { '200': 'OpenAPI 3.1 document' } } },
  async handle(_request, document) {
    return { status: 200, jsonBody: renderOpenApi(document.routes(), document.serverUrl) };
  },
};
