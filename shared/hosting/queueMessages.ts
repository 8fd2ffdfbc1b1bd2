import { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses a message body with its schema; a mismatch is permanent: dead-lettered with the zod error. */
export function parseMessageBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('input-invalid', `message body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
