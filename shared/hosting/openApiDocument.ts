import { z } from 'zod';
import { freeBusyBodySchema, respondBodySchema, scheduleBodySchema } from '../meetings/meetingsApi.js';
import { tenantSettingsInputSchema } from '../meetings/tenantSettings.js';
import { userIdsSchema } from '../watch/enablement.js';

type Method = 'get' | 'post' | 'put' | 'delete';

interface Operation {
  summary: string;
  auth: 'none' | 'user' | 'admin' | 'graph';
  body?: z.ZodType;
  query?: Record<string, string>;
  responses: Record<string, string>;
}

const errorResponses = {
  '400': 'Invalid input (JSON error body with the reason)',
  '401': 'No valid bearer token',
  '403': 'Not allowed for this caller',
};

/** Every HTTP route of the app; a test checks this against the function list, both ways. */
export const apiOperations: Record<string, Partial<Record<Method, Operation>>> = {
  '/health': {
    get: {
      summary: 'Status of every dependency',
      auth: 'none',
      responses: { '200': 'All up', '503': 'Something is down' },
    },
  },
  '/openapi.json': {
    get: { summary: 'This document', auth: 'none', responses: { '200': 'OpenAPI 3.1 document' } },
  },
  '/notifications': {
    post: {
      summary: 'Graph change notifications (and the validation handshake)',
      auth: 'graph',
      query: { validationToken: 'Graph’s handshake token, echoed as text/plain' },
      responses: {
        '200': 'Handshake',
        '202': 'Accepted (whether or not every notification verified)',
        '400': 'Not JSON',
        '413': 'Body over 2 MiB',
        '503': 'Could not queue',
      },
    },
  },
  '/lifecycle': {
    post: {
      summary: 'Graph lifecycle notifications (and the validation handshake)',
      auth: 'graph',
      query: { validationToken: 'Graph’s handshake token' },
      responses: {
        '200': 'Handshake',
        '202': 'Accepted',
        '400': 'Not JSON',
        '413': 'Body over 2 MiB',
        '503': 'Could not queue',
      },
    },
  },
  '/admin/tenants/{tenantId}/users/enable': {
    post: {
      summary: 'Watch these users',
      auth: 'admin',
      body: userIdsSchema,
      responses: { '202': '{"queued": n}', ...errorResponses },
    },
  },
  '/admin/tenants/{tenantId}/users/disable': {
    post: {
      summary: 'Stop watching these users',
      auth: 'admin',
      body: userIdsSchema,
      responses: { '202': '{"queued": n}', ...errorResponses },
    },
  },
  '/admin/tenants/{tenantId}/users': {
    get: {
      summary: 'Users by state, with reasons and next retry',
      auth: 'admin',
      query: { state: 'not-activated | activated | error' },
      responses: { '200': '{"users": [...]}', ...errorResponses },
    },
  },
  '/admin/tenants/{tenantId}/metrics': {
    get: {
      summary: 'Counters of this instance',
      auth: 'admin',
      responses: { '200': '{"counters": {...}}', ...errorResponses },
    },
  },
  '/admin/tenants/{tenantId}/users/{userId}/trace': {
    get: {
      summary: 'Why an event was (not) decorated',
      auth: 'admin',
      query: { eventId: 'The Graph event id' },
      responses: { '200': '{"entries": [...]}', '404': 'No trace', ...errorResponses },
    },
  },
  '/admin/tenants/{tenantId}/settings': {
    get: {
      summary: 'The tenant’s keywords, default language, templates, lead time',
      auth: 'admin',
      responses: { '200': 'Effective settings', ...errorResponses },
    },
    put: {
      summary: 'Replace the tenant’s settings',
      auth: 'admin',
      body: tenantSettingsInputSchema,
      responses: { '200': 'Effective settings', ...errorResponses },
    },
  },
  '/users/{userId}/meetings': {
    get: {
      summary:
        'The caller’s meetings between from and to (clamped to 7 days back, 31 ahead), decrypted, by start',
      auth: 'user',
      query: { from: 'ISO 8601 time with offset', to: 'ISO 8601 time with offset' },
      responses: { '200': '{"from", "to", "meetings": [...]}', ...errorResponses },
    },
    post: {
      summary: 'Schedule a meeting with a keyword; it decorates itself',
      auth: 'user',
      body: scheduleBodySchema,
      responses: { '201': '{"id": meeting id}', ...errorResponses },
    },
  },
  '/users/{userId}/meetings/{meetingId}/response': {
    post: {
      summary: 'Accept, decline or tentatively accept',
      auth: 'user',
      body: respondBodySchema,
      responses: { '202': 'Sent', '404': 'No such meeting', ...errorResponses },
    },
  },
  '/users/{userId}/meetings/{meetingId}': {
    delete: {
      summary: 'Cancel a meeting the caller organises',
      auth: 'user',
      responses: { '204': 'Cancelled', '404': 'No such meeting', ...errorResponses },
    },
  },
  '/users/{userId}/free-busy': {
    post: {
      summary: 'Availability of people and rooms',
      auth: 'user',
      body: freeBusyBodySchema,
      responses: { '200': '{"schedules": [...]}', ...errorResponses },
    },
  },
};

/** The OpenAPI 3.1 document of the HTTP surface, request bodies described from their zod schemas. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [path, operations] of Object.entries(apiOperations)) {
    const item: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(operations) as Array<[Method, Operation]>) {
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
      item[method] = {
        summary: operation.summary,
        ...(operation.auth === 'user' || operation.auth === 'admin' ? { security: [{ bearer: [] }] } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': {
                    schema: z.toJSONSchema(operation.body, { io: 'input', unrepresentable: 'any' }),
                  },
                },
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries(operation.responses).map(([status, description]) => [status, { description }]),
        ),
      };
    }
    paths[path] = item;
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
