import { z } from 'zod';
import type { ChangeNotice, NotificationReader } from '../../watch/changeNotices.js';

/** Graph's `changeNotificationCollection`, as far as the webhook reads it. */
export const changeNotificationCollectionSchema = z.object({
  value: z
    .array(
      z.object({
        subscriptionId: z.string().min(1),
        subscriptionExpirationDateTime: z.string().optional(),
        changeType: z.enum(['created', 'updated', 'deleted']).optional(),
        lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
        resource: z.string().optional(),
        resourceData: z
          .object({ id: z.string().optional(), '@odata.etag': z.string().optional() })
          .loose()
          .nullish(),
        clientState: z.string().nullish(),
        tenantId: z.string().min(1),
      }),
    )
    .max(1_000),
  validationTokens: z.array(z.string()).optional(),
});
export type ChangeNotification = z.infer<typeof changeNotificationCollectionSchema>['value'][number];

/** `Users/{userId}/Events/{eventId}` (Graph's casing varies) to its ids. */
export function parseEventResource(
  resource: string | undefined,
): { userId: string; eventId: string } | undefined {
  const match = /^\/?users\/([^/]+)\/(?:calendar\/)?events\/([^/]+)$/i.exec(resource ?? '');
  if (!match) return undefined;
  return { userId: decodeURIComponent(match[1] ?? ''), eventId: decodeURIComponent(match[2] ?? '') };
}

/** The user a subscription resource names: `/users/{userId}/events`. */
export function parseSubscriptionResource(resource: string | undefined): string | undefined {
  return /^\/?users\/([^/]+)\/(?:calendar\/)?events$/i.exec(resource ?? '')?.[1];
}

/** A change key from an etag `W/"abc"`. */
export function changeKeyFromEtag(etag: string | undefined): string | null {
  if (!etag) return null;
  return /^W\/"(.*)"$/.exec(etag)?.[1] ?? etag;
}

/** Graph's change notification collection, read as the watch's notices. */
export const graphNotificationReader: NotificationReader = {
  read(body) {
    const parsed = changeNotificationCollectionSchema.safeParse(body);
    if (!parsed.success) return undefined;
    return parsed.data.value.map((notification): ChangeNotice => {
      const resource = parseEventResource(notification.resource);
      return {
        subscriptionId: notification.subscriptionId,
        tenantId: notification.tenantId,
        clientState: notification.clientState ?? null,
        ...(resource && notification.changeType
          ? {
              change: {
                userId: resource.userId,
                eventId: notification.resourceData?.id ?? resource.eventId,
                changeType: notification.changeType,
                changeKey: changeKeyFromEtag(notification.resourceData?.['@odata.etag']),
              },
            }
          : {}),
        ...(notification.lifecycleEvent
          ? {
              lifecycle: {
                event: notification.lifecycleEvent,
                userId: parseSubscriptionResource(notification.resource),
                subscriptionExpiresAt: notification.subscriptionExpirationDateTime,
              },
            }
          : {}),
      };
    });
  },
};
