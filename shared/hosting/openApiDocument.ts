import { z } from 'zod';
import { needsBearerToken } from '../auth/routeAccess.js';
import type { HttpFunctionDefinition } from './functionDefinitions.js';

/** The part of an HTTP function definition the document is generated from. */
export type DescribedRoute = Pick<
  HttpFunctionDefinition<unknown>,
  'route' | 'methods' | 'access' | 'describe'
>;

/** A route's path in the document: a Functions catch-all (`{*path}`) is a plain path parameter to OpenAPI. */
export function openApiPath(route: string): string {
  return `/${route.replace(/\{\*(\w+)\}/g, '{$1}')}`;
}

/**
 * The OpenAPI 3.1 document of the HTTP surface, generated from the function definitions themselves
 * (route, methods, declared access, descriptions), request bodies described from their zod
 * schemas: the document and what the hosts enforce cannot drift apart.
 */
export function renderOpenApi(routes: readonly DescribedRoute[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.route);
    const item = paths[path] ?? {};
    paths[path] = item;
    for (const method of route.methods) {
      const key = method.toLowerCase() as Lowercase<typeof method>;
      const operation = route.describe?.[key];
      if (!operation) throw new Error(`${method} ${path} has no description for the OpenAPI document`);
      const access = route.access;
      const parameters = [
        ...[...path.matchAll(/\{(\w+)\}/g)].map((match) => ({
          name: match[1],
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...Object.entries(operation.query ?? {}).map(([name, description]) => ({
          name,
          in: 'query',
          required: false,
          description,
          schema: { type: 'string' },
        })),
      ];
      item[key] = {
        summary: operation.summary,
        'x-access': access.kind,
        ...(needsBearerToken(access) ? { security: [{ bearer: [] }] } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body
          ? {
              requestBody: {
                required: true,
                content: {
                  [operation.bodyContentType ?? 'application/json']: {
                    schema: z.toJSONSchema(operation.body, { io: 'input', unrepresentable: 'any' }),
                  },
                },
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries({
            ...operation.responses,
            ...(needsBearerToken(access) ? accessResponses : {}),
          }).map(([status, description]) => [status, { description }]),
        ),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hybrid-calendar',
      version: '0.1.0',
      description: 'Meetings API for apps and devices, admin API, and Graph webhooks.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

/** What every route behind a bearer token may answer before its handler runs. */
const accessResponses = {
  '401': 'No valid bearer token',
  '403': 'Not allowed for this caller',
};
