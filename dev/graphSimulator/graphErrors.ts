/** An error Graph would answer with: status, Graph's error code and message, optional headers. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Graph's error body, with the innerError that carries the request id. */
export function graphErrorBody(error: GraphError, requestId: string, date: Date) {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: {
        date: date.toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  };
}

export const badRequest = (message: string, code = 'BadRequest') => new GraphError(400, code, message);
export const notFound = (
  message = 'The specified object was not found in the store.',
  code = 'ErrorItemNotFound',
) => new GraphError(404, code, message);
