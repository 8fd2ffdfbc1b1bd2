import { describe, expect, it } from 'vitest';
import { functionList } from '../../../functions/functionList.js';
import { apiOperations, openApiDocument } from '../../../shared/hosting/openApiDocument.js';

const httpRoutes = functionList.flatMap((definition) =>
  definition.kind === 'http'
    ? definition.methods.map((method) => `${method.toLowerCase()} /${definition.route}`)
    : [],
);
const documented = Object.entries(apiOperations).flatMap(([path, operations]) =>
  Object.keys(operations).map((method) => `${method} ${path}`),
);

describe('the OpenAPI document', () => {
  it('when compared with the function list, then every HTTP route is documented and nothing else is', () => {
    expect([...documented].sort()).toEqual([...httpRoutes].sort());
  });

  it('when rendered, then it is OpenAPI 3.1 with request bodies described from the zod schemas', () => {
    const document = openApiDocument('https://contoso-calendar.azurewebsites.net/api') as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: { 'application/json': { schema: { properties?: Record<string, unknown> } } };
            };
          }
        >
      >;
    };

    expect(document.openapi).toBe('3.1.0');
    const schedule =
      document.paths['/users/{userId}/meetings']?.post?.requestBody?.content['application/json'].schema;
    expect(Object.keys(schedule?.properties ?? {})).toEqual(
      expect.arrayContaining(['subject', 'start', 'end', 'attendees', 'keyword']),
    );
  });
});
