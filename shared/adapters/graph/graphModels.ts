import { z } from 'zod';

// Graph responses are parsed with these at the adapter's edge. Only the properties the service uses
// are named; Graph's others are dropped. Names and types follow Graph v1.0's metadata (CSDL).

export const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string() });
export type DateTimeTimeZone = z.infer<typeof dateTimeTimeZoneSchema>;

const emailAddressSchema = z.object({ name: z.string().nullish(), address: z.string().nullish() });

export const attendeeSchema = z.object({
  type: z.enum(['required', 'optional', 'resource']),
  emailAddress: emailAddressSchema,
  status: z.object({ response: z.string(), time: z.string().nullish() }).nullish(),
});

export const graphEventSchema = z.object({
  id: z.string(),
  '@odata.etag': z.string().optional(),
  changeKey: z.string().nullish(),
  iCalUId: z.string().nullish(),
  subject: z.string().nullish(),
  body: z.object({ contentType: z.enum(['html', 'text']), content: z.string().nullish() }).nullish(),
  bodyPreview: z.string().nullish(),
  start: dateTimeTimeZoneSchema.nullish(),
  end: dateTimeTimeZoneSchema.nullish(),
  isAllDay: z.boolean().nullish(),
  isCancelled: z.boolean().nullish(),
  isOrganizer: z.boolean().nullish(),
  type: z.enum(['singleInstance', 'occurrence', 'exception', 'seriesMaster']).nullish(),
  seriesMasterId: z.string().nullish(),
  location: z.object({ displayName: z.string().nullish() }).loose().nullish(),
  locations: z.array(z.object({ displayName: z.string().nullish() }).loose()).nullish(),
  attendees: z.array(attendeeSchema).nullish(),
  organizer: z.object({ emailAddress: emailAddressSchema }).nullish(),
  responseStatus: z.object({ response: z.string(), time: z.string().nullish() }).nullish(),
  recurrence: z.record(z.string(), z.unknown()).nullish(),
  lastModifiedDateTime: z.string().nullish(),
  originalStart: z.string().nullish(),
  showAs: z.string().nullish(),
  sensitivity: z.string().nullish(),
  singleValueExtendedProperties: z
    .array(z.object({ id: z.string(), value: z.string().nullish() }))
    .optional(),
});
export type GraphEvent = z.infer<typeof graphEventSchema>;

export const removedEventSchema = z.object({
  id: z.string(),
  '@removed': z.object({ reason: z.string().optional() }),
});

export const graphSubscriptionSchema = z.object({
  id: z.string(),
  resource: z.string(),
  changeType: z.string(),
  notificationUrl: z.string(),
  lifecycleNotificationUrl: z.string().nullish(),
  expirationDateTime: z.string(),
  clientState: z.string().nullish(),
});
export type GraphSubscription = z.infer<typeof graphSubscriptionSchema>;

export const graphUserSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  mail: z.string().nullish(),
  preferredLanguage: z.string().nullish(),
});
export type GraphUser = z.infer<typeof graphUserSchema>;

export const graphDomainSchema = z.object({
  id: z.string(),
  isDefault: z.boolean().nullish(),
  isVerified: z.boolean().nullish(),
});
export type GraphDomain = z.infer<typeof graphDomainSchema>;

export const automaticRepliesSchema = z.object({
  status: z.enum(['disabled', 'alwaysEnabled', 'scheduled']),
  scheduledStartDateTime: dateTimeTimeZoneSchema.nullish(),
  scheduledEndDateTime: dateTimeTimeZoneSchema.nullish(),
});
export type AutomaticReplies = z.infer<typeof automaticRepliesSchema>;

export const mailboxSettingsSchema = z.object({
  timeZone: z.string().nullish(),
  language: z.object({ locale: z.string().nullish() }).nullish(),
  automaticRepliesSetting: automaticRepliesSchema.nullish(),
});
export type MailboxSettings = z.infer<typeof mailboxSettingsSchema>;

export const scheduleInformationSchema = z.object({
  scheduleId: z.string(),
  availabilityView: z.string().nullish(),
  scheduleItems: z
    .array(
      z.object({
        status: z.string(),
        start: dateTimeTimeZoneSchema,
        end: dateTimeTimeZoneSchema,
        subject: z.string().nullish(),
        location: z.string().nullish(),
        isPrivate: z.boolean().nullish(),
      }),
    )
    .nullish(),
  error: z.object({ message: z.string().nullish(), responseCode: z.string().nullish() }).nullish(),
});
export type ScheduleInformation = z.infer<typeof scheduleInformationSchema>;

export const roleAssignmentSchema = z.object({ principalId: z.string(), roleDefinitionId: z.string() });

export function collectionSchema<T extends z.ZodType>(item: T) {
  return z.object({
    value: z.array(item),
    '@odata.nextLink': z.string().optional(),
    '@odata.deltaLink': z.string().optional(),
  });
}

export const graphErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().optional(),
    innerError: z.object({ 'request-id': z.string().optional() }).loose().optional(),
  }),
});

export const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});
