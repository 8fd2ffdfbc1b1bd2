import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import { AppError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { EventChangeMessage } from '../watch/messages.js';
import type { TraceKey } from './eventTrace.js';
import type { EventTraces } from './eventTraces.js';
import { keyOf } from './meetingRecord.js';

/** One decision on an event; what is left out is recorded as null. */
export interface Decision {
  outcome: string;
  rule?: string | null;
  language?: string | null;
  /** What the calendar service answered, e.g. `PATCH 200`, `404`, `412 ErrorIrresolvableConflict`. */
  graph?: string | null;
  detail?: string | null;
}

/** The decisions taken on one change of one event, written to that event's trace as they are taken. */
export interface EventTraceLog {
  /** Adds the decision; with a change key, remembers it as handled (null forgets the one stored). */
  record(decision: Decision, lastChangeKey?: string | null): Promise<void>;
  /** Records a failure: what the calendar service said, if it was the calendar service, and the error code. */
  failed(error: unknown, context: { rule: string | null; language: string | null }): Promise<void>;
}

/** The trace an event change belongs to. */
export function traceKeyOf(message: Pick<EventChangeMessage, 'eventId' | 'userId' | 'tenantId'>): TraceKey {
  return { id: keyOf(message.eventId), userId: message.userId, tenantId: message.tenantId };
}

export function eventTraceLog(
  context: { traces: EventTraces; clock: Clock },
  message: EventChangeMessage,
): EventTraceLog {
  const key = traceKeyOf(message);
  const record = (decision: Decision, lastChangeKey?: string | null): Promise<void> =>
    context.traces.append(
      key,
      {
        at: context.clock.now().toISOString(),
        source: message.source,
        changeType: message.changeType,
        outcome: decision.outcome,
        rule: decision.rule ?? null,
        language: decision.language ?? null,
        graph: decision.graph ?? null,
        detail: decision.detail ?? null,
      },
      lastChangeKey,
    );
  return {
    record,
    failed: (error, { rule, language }) =>
      record({
        outcome: 'failed',
        rule,
        language,
        graph: isCalendarServiceError(error) ? `${error.status} ${error.serviceCode}` : null,
        detail: error instanceof AppError ? error.code : 'unexpected',
      }),
  };
}
