// Kept here too, so that imports from the gateway's module go on working.
export type { MailboxRef, TimeWindow } from './mailbox.js';

export interface NewSubscription {
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  expirationDateTime: Date;
  clientState: string;
}

/** One request of a JSON batch; `url` is relative to the Graph version root, e.g. `/subscriptions/{id}`. */
export interface BatchStep {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export interface BatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type EventResponse = 'accept' | 'decline' | 'tentativelyAccept';

// The gateway itself (`CalendarGateway`, `DeltaResult`) speaks Graph's wire model, so it lives with
// its adapter in `adapters/graph/calendarGateway.ts`; use cases use the `Calendar` and `MailboxWatch` ports.
