import type { HttpResponseInit } from '@azure/functions';
import { httpStatusFor, isAppError } from '../errors.js';

/** The JSON error body every HTTP function answers with: a stable code and a reason for people. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorResponse(status: number, code: string, message: string): HttpResponseInit {
  const body: ErrorBody = { error: { code, message } };
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store' } };
}

/** Maps anything a use case threw to an HTTP answer; unexpected errors say nothing about internals. */
export function responseForError(error: unknown): HttpResponseInit {
  if (isAppError(error)) return errorResponse(httpStatusFor(error), error.code, error.message);
  return errorResponse(500, 'internal-error', 'The request failed unexpectedly.');
}
