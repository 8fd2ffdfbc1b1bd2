import { complete } from '../shared/bus/messageBus.js';
import { queueNames } from '../shared/bus/queues.js';
import type { QueueFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { parseMessageBody } from '../shared/hosting/queueMessages.js';
import {
  type EnablementContext,
  failRefusedEnablementJob,
  runEnablementJob,
} from '../shared/onboarding/enablementJobs.js';
import { enablementMessageSchema } from '../shared/onboarding/onboardingRecords.js';

/** `tenant-enablement`: resolves a job's users (by UPN, group or mailbox) and enables them. */
export const tenantEnablementFunction: QueueFunctionDefinition<EnablementContext> = {
  kind: 'queue',
  name: 'tenantEnablement',
  queueName: queueNames.tenantEnablement,
  sessions: true,
  async handle(message, enablement) {
    // A refused message is dead-lettered, and its job, if it names one, ends as failed.
    if (!enablementMessageSchema.safeParse(message.body).success)
      await failRefusedEnablementJob(enablement, message.body);
    await runEnablementJob(enablement, parseMessageBody(enablementMessageSchema, message.body));
    return complete;
  },
};
