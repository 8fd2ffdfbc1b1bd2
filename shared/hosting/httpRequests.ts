import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Reads a body up to `maxBytes`: 413 when the declared length is over it (nothing read), or as soon
 * as the bytes received pass it (reading stops there, so a chunked body without a length is bounded
 * too).
 */
export async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const tooLarge = () => new AppError('payload-too-large', `The body is over ${maxBytes} bytes.`);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge();
  const stream = request.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a JSON body with its schema: 400 naming the first problems, 413 when too large. */
export async function readJsonBody<T>(
  request: HttpRequest,
  schema: z.ZodType<T>,
  maxBytes = 256 * 1024,
): Promise<T> {
  const text = await readBodyText(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('input-invalid', 'The body must be JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw new AppError('input-invalid', `Invalid body: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/** Parses a query string with its schema: 400 naming the first problems. */
export function parseQuery<T>(request: HttpRequest, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`);
    throw new AppError('input-invalid', `Invalid query: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/** Reads and parses an HTML form post (`application/x-www-form-urlencoded`) with its schema: 400 naming the problems. */
export async function readFormBody<T>(
  request: HttpRequest,
  schema: z.ZodType<T>,
  maxBytes = 64 * 1024,
): Promise<T> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
    throw new AppError('input-invalid', 'The body must be a form (application/x-www-form-urlencoded).');
  const fields = Object.fromEntries(new URLSearchParams(await readBodyText(request, maxBytes)));
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'form'}: ${issue.message}`);
    throw new AppError('input-invalid', `Invalid form: ${problems.join('; ')}.`);
  }
  return parsed.data;
}
