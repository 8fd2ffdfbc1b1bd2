import { describe, expect, it } from 'vitest';
import { functionList, httpRoutes } from '../../../functions/functionList.js';
import { openApiPath, renderOpenApi } from '../../../shared/hosting/openApiDocument.js';

interface RenderedOperation {
  security?: unknown[];
  'x-access': string;
  requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } };
  responses: Record<string, unknown>;
}

function render(): Record<string, Record<string, RenderedOperation>> {
  const document = renderOpenApi(httpRoutes(), 'https://contoso-calendar.azurewebsites.net/api') as {
    openapi: string;
    paths: Record<string, Record<string, RenderedOperation>>;
  };
  expect(document.openapi).toBe('3.1.0');
  return document.paths;
}

describe('the OpenAPI document', () => {
  it('when rendered from the function list, then every HTTP route and method is in it and nothing else', () => {
    const routes = functionList.flatMap((definition) =>
      definition.kind === 'http'
        ? definition.methods.map((method) => `${method.toLowerCase()} ${openApiPath(definition.route)}`)
        : [],
    );

    const documented = Object.entries(render()).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );

    expect(documented.sort()).toEqual(routes.sort());
  });

  it('when a route is protected, then the document names the bearer scheme and the 401/403 answers, from the same declaration the host enforces', () => {
    for (const definition of httpRoutes()) {
      for (const method of definition.methods) {
        const operation = render()[openApiPath(definition.route)]?.[method.toLowerCase()];
        const protectedRoute = definition.access.kind === 'tenant-admin' || definition.access.kind === 'self';
        expect(operation?.['x-access']).toBe(definition.access.kind);
        expect(operation?.security !== undefined).toBe(protectedRoute);
        expect('401' in (operation?.responses ?? {})).toBe(protectedRoute);
      }
    }
  });

  it('when rendered, then request bodies are described from the zod schemas', () => {
    const schedule =
      render()['/users/{userId}/meetings']?.post?.requestBody?.content['application/json'].schema;

    expect(Object.keys(schedule?.properties ?? {})).toEqual(
      expect.arrayContaining(['subject', 'start', 'end', 'attendees', 'keyword']),
    );
  });

  it('when a method of a route has no description, then rendering fails naming it', () => {
    expect(() =>
      renderOpenApi(
        [
          {
            route: 'things',
            methods: ['GET', 'POST'],
            access: { kind: 'anonymous' },
            describe: { get: { summary: 'Things', responses: {} } },
          },
        ],
        'https://example.test/api',
      ),
    ).toThrow(/POST \/things has no description/);
  });
});
