import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Reads a body up to `maxBytes`: 413 beyond it, as the declared length or the bytes received say. */
export async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AppError('payload-too-large', `The body is over ${maxBytes} bytes.`);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw new AppError('payload-too-large', `The body is over ${maxBytes} bytes.`);
  return bytes.toString('utf8');
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
