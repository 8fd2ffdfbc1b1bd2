import { z } from 'zod';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';

/** A tenant whose administrator granted admin consent through onboarding. */
export const onboardedTenantSchema = z.object({
  id: z.string().min(1),
  consentedAt: z.iso.datetime(),
  /** Object id of the administrator who consented (an id, not a name or address). */
  adminObjectId: z.string().min(1),
  /** The tenant's domains, as Graph lists them at consent. */
  domains: z.array(z.string()),
  updatedAt: z.iso.datetime(),
});
export type OnboardedTenant = z.infer<typeof onboardedTenantSchema>;
export const onboardedTenants: CollectionDefinition<OnboardedTenant> = {
  ...containerLayouts.onboardedTenants,
  schema: onboardedTenantSchema,
};

/** One user principal name as the admin API, the onboarding form and the job's message accept it. */
export const userPrincipalNameSchema = z
  .string()
  .trim()
  .min(3)
  .max(256)
  .regex(/^[^@\s]+@[^@\s]+$/, 'a user principal name looks like name@domain');

/** Whom to enable: users by principal name, a group's transitive members, or everyone with a mailbox. */
export const userSelectionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('principal-names'),
    userPrincipalNames: z.array(userPrincipalNameSchema).min(1).max(1_000),
  }),
  z.object({ kind: z.literal('group'), groupId: z.uuid() }),
  z.object({ kind: z.literal('all-with-mailbox') }),
]);
export type UserSelection = z.infer<typeof userSelectionSchema>;

/** An enablement job and its progress; readable while it runs. Holds counts, never names. */
export const enablementJobSchema = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  selection: z.enum(['principal-names', 'group', 'all-with-mailbox']),
  state: z.enum(['running', 'completed', 'failed']),
  found: z.number().int().min(0),
  queued: z.number().int().min(0),
  notFound: z.number().int().min(0),
  reason: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  ttl: z.number().int().positive().optional(),
});
export type EnablementJob = z.infer<typeof enablementJobSchema>;
export const enablementJobs: CollectionDefinition<EnablementJob> = {
  ...containerLayouts.enablementJobs,
  schema: enablementJobSchema,
};

/** The message that runs an enablement job. */
export const enablementMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  jobId: z.string().min(1),
  selection: userSelectionSchema,
});
export type EnablementMessage = z.infer<typeof enablementMessageSchema>;

/** Role template ids that may onboard a tenant: they can grant tenant-wide admin consent. */
export const consentingRoles = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
} as const;
