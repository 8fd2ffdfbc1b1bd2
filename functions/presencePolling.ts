import type { TimerFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import type { PresenceContext } from '../shared/presence/presenceContext.js';
import { pollDuePresence } from '../shared/presence/presenceTracking.js';

/**
 * Every minute: the activated users whose slot in the poll period (`PRESENCE_POLL_MINUTES`) fell in
 * the last minute have their automatic replies and out-of-office events read, in `$batch` requests.
 */
export const presencePollingFunction: TimerFunctionDefinition<PresenceContext> = {
  kind: 'timer',
  name: 'presencePolling',
  schedule: '0 * * * * *',
  async handle(presence, context) {
    const { polled, changed, failed } = await pollDuePresence(presence);
    context.log(`presence polled for ${polled} users: ${changed} changed, ${failed} failed`);
  },
};
