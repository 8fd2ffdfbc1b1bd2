import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MessageBus } from '../bus/messageBus.js';
import { queueNames, sessionIdForTenant } from '../bus/queues.js';
import { AppError, isAppError, isTransient } from '../errors.js';
import type { DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import { enableUsers, userIdsSchema } from '../watch/enablement.js';
import type { WatchContext } from '../watch/watchContext.js';
import {
  type EnablementJob,
  type EnablementMessage,
  type UserSelection,
  userPrincipalNameSchema,
  userSelectionSchema,
} from './onboardingRecords.js';
import type { TenantDirectory } from './ports.js';

/** What enablement by UPN, group or "all with a mailbox" needs. */
export interface EnablementContext {
  jobs: DocumentCollection<EnablementJob>;
  bus: MessageBus;
  directory: TenantDirectory;
  watch: WatchContext;
  clock: Clock;
}

/** A finished job is kept a week, then Cosmos drops it. */
const finishedJobTtlSeconds = 7 * 24 * 3_600;
/** Users are enabled, and the job's progress written, in chunks of this many. */
const chunkSize = 100;

/**
 * The body of `POST /api/admin/tenants/{tenantId}/users/enable`: object ids (enabled at once, as
 * before), or a selection that runs as a job.
 */
export const enableRequestSchema = z.union([
  userIdsSchema.strict(),
  z
    .object({
      userPrincipalNames: z
        .array(userPrincipalNameSchema)
        .min(1)
        .max(1_000)
        .refine(
          (names) => new Set(names.map((name) => name.toLowerCase())).size === names.length,
          'user principal names must be unique',
        ),
    })
    .strict(),
  z.object({ groupId: z.uuid('groupId must be the group’s object id (a GUID)') }).strict(),
  z.object({ allUsersWithMailbox: z.literal(true) }).strict(),
]);
export type EnableRequest = z.infer<typeof enableRequestSchema>;

/** The selection a request names, or undefined for object ids (enabled at once). */
export function selectionOf(request: EnableRequest): UserSelection | undefined {
  if ('userPrincipalNames' in request)
    return { kind: 'principal-names', userPrincipalNames: request.userPrincipalNames };
  if ('groupId' in request) return { kind: 'group', groupId: request.groupId.toLowerCase() };
  if ('allUsersWithMailbox' in request) return { kind: 'all-with-mailbox' };
  return undefined;
}

/**
 * Starts a job: its record first (so progress is readable at once), then its message. The selection
 * is checked with the consumer's own schema first: a job it would refuse is never started.
 */
export async function requestEnablement(
  context: EnablementContext,
  tenantId: string,
  requested: UserSelection,
): Promise<{ jobId: string }> {
  const checked = userSelectionSchema.safeParse(requested);
  if (!checked.success)
    // The issues name fields and indexes, never a name.
    throw new AppError('input-invalid', `selection: ${z.prettifyError(checked.error)}`);
  const selection = checked.data;
  const now = context.clock.now().toISOString();
  const job: EnablementJob = {
    id: randomUUID(),
    tenantId: tenantId.toLowerCase(),
    selection: selection.kind,
    state: 'running',
    found: 0,
    queued: 0,
    notFound: 0,
    createdAt: now,
    updatedAt: now,
  };
  await context.jobs.create(job);
  const message: EnablementMessage = { version: 1, tenantId: job.tenantId, jobId: job.id, selection };
  await context.bus.send(queueNames.tenantEnablement, {
    body: message,
    messageId: `enablement-${job.id}`,
    sessionId: sessionIdForTenant(job.tenantId),
  });
  return { jobId: job.id };
}

/** A job's progress; `not-found` for an unknown job or one of another tenant. */
export async function readEnablementJob(
  context: Pick<EnablementContext, 'jobs'>,
  tenantId: string,
  jobId: string,
): Promise<Omit<EnablementJob, 'id' | 'tenantId' | 'ttl'> & { jobId: string }> {
  const stored = z.uuid().safeParse(jobId).success
    ? await context.jobs.read(jobId.toLowerCase(), tenantId.toLowerCase())
    : undefined;
  if (!stored) throw new AppError('not-found', 'No such enablement job in this tenant.');
  const { id, tenantId: _tenant, ttl: _ttl, ...progress } = stored.value;
  return { jobId: id, ...progress };
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** The object ids a selection names, and how many names found nobody. Never logs a name. */
async function resolveSelection(
  directory: TenantDirectory,
  tenantId: string,
  selection: UserSelection,
): Promise<{ userIds: string[]; notFound: number } | { failed: string }> {
  if (selection.kind === 'all-with-mailbox')
    return { userIds: await directory.usersWithMailbox(tenantId), notFound: 0 };
  if (selection.kind === 'group') {
    const members = await directory.groupUserIds(tenantId, selection.groupId);
    return members
      ? { userIds: members, notFound: 0 }
      : { failed: 'The group does not exist in this tenant.' };
  }
  // Outlook allows 4 requests per mailbox; directory reads are lighter, but stay modest.
  const found = await mapBounded(selection.userPrincipalNames, 4, (name) =>
    directory.findUserId(tenantId, name),
  );
  const userIds = found.filter((id): id is string => id !== undefined);
  return { userIds, notFound: found.length - userIds.length };
}

async function writeProgress(
  context: Pick<EnablementContext, 'jobs' | 'clock'>,
  job: EnablementJob,
  changes: Partial<EnablementJob>,
): Promise<EnablementJob> {
  const updated: EnablementJob = { ...job, ...changes, updatedAt: context.clock.now().toISOString() };
  if (updated.state !== 'running') updated.ttl = finishedJobTtlSeconds;
  await context.jobs.replace(updated);
  return updated;
}

/**
 * Runs a job from its message: resolves the selection, then enables the users chunk by chunk,
 * writing the counts after each. A permanent failure (no consent, a group that does not exist) ends
 * the job as `failed` with the reason; a transient one is thrown, so the message is tried again.
 */
export async function runEnablementJob(
  context: EnablementContext,
  message: EnablementMessage,
): Promise<void> {
  const selection = userSelectionSchema.parse(message.selection);
  const stored = await context.jobs.read(message.jobId, message.tenantId);
  // A job already finished (a redelivered message) is left as it is.
  if (stored?.value.state !== 'running') return;
  let job = stored.value;
  try {
    const resolved = await resolveSelection(context.directory, message.tenantId, selection);
    if ('failed' in resolved) {
      await writeProgress(context, job, { state: 'failed', reason: resolved.failed });
      return;
    }
    const userIds = [...new Set(resolved.userIds.map((id) => id.toLowerCase()))];
    job = await writeProgress(context, job, {
      found: userIds.length,
      notFound: resolved.notFound,
      queued: 0,
    });
    let queued = 0;
    for (let start = 0; start < userIds.length; start += chunkSize) {
      queued += (await enableUsers(context.watch, message.tenantId, userIds.slice(start, start + chunkSize)))
        .queued;
      job = await writeProgress(context, job, { queued });
    }
    await writeProgress(context, job, { state: 'completed' });
  } catch (error) {
    if (isTransient(error)) throw error;
    await writeProgress(context, job, {
      state: 'failed',
      reason: isAppError(error) ? `${error.code}: ${error.message}` : 'The job failed.',
    });
  }
}

/** What a refused message is read for: the job it would have run. */
const refusedMessageSchema = z.object({ tenantId: z.string().min(1), jobId: z.uuid() });

/**
 * A message the consumer refuses (it does not match `enablementMessageSchema`) ends its job as
 * `failed` with the reason, rather than leaving it `running` for ever; the message itself is then
 * dead-lettered. A body that names no job changes nothing.
 */
export async function failRefusedEnablementJob(
  context: Pick<EnablementContext, 'jobs' | 'clock'>,
  body: unknown,
): Promise<void> {
  const named = refusedMessageSchema.safeParse(body);
  if (!named.success) return;
  const stored = await context.jobs.read(named.data.jobId.toLowerCase(), named.data.tenantId.toLowerCase());
  if (stored?.value.state !== 'running') return;
  await writeProgress(context, stored.value, {
    state: 'failed',
    reason: 'The job’s request was refused: it names users or a group the service cannot accept.',
  });
}
