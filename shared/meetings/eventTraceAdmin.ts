import { AppError } from '../errors.js';
import type { TraceEntry } from './eventTrace.js';
import { keyOf } from './meetingRecord.js';
import type { MeetingsContext } from './meetingsContext.js';

/**
 * Why an event of a user in the tenant was (not) decorated, for its administrators: the trace's
 * entries, oldest first. `not-found` when there is none, or it belongs to another tenant.
 */
export async function readEventTrace(
  context: Pick<MeetingsContext, 'traces'>,
  query: { tenantId: string; userId: string; eventId: string },
): Promise<TraceEntry[]> {
  const trace = await context.traces.find({ id: keyOf(query.eventId), userId: query.userId });
  if (!trace || trace.tenantId !== query.tenantId)
    throw new AppError('not-found', 'No trace for that event.');
  return trace.entries;
}
