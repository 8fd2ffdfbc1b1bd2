import { z } from 'zod';
import type { ChangeNotice, NotificationReader } from '../../watch/changeNotices.js';
import { isGraphId } from './graphIds.js';

/** Graph's `changeNotificationCollection`, as far as the webhook reads it. */
export const changeNotificationCollectionSchema = z.object({
  value: z
    .array(
      z.object({
        /** Graph's "unique ID for the notification" (optional; not every notification has one). */
        id: z.string().min(1).max(256).optional(),
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

/** A percent-decoded path segment, or undefined when its escapes are malformed (`%zz`, a lone `%`). */
function decodeSegment(segment: string | undefined): string | undefined {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return undefined;
  }
}

/**
 * `Users/{userId}/Events/{eventId}` (Graph's casing varies) to its ids; undefined for anything else,
 * including malformed escapes and ids Graph never issues (see `isGraphId`).
 */
export function parseEventResource(
  resource: string | undefined,
): { userId: string; eventId: string } | undefined {
  const match = /^\/?users\/([^/]+)\/(?:calendar\/)?events\/([^/]+)$/i.exec(resource ?? '');
  if (!match) return undefined;
  const userId = decodeSegment(match[1]);
  const eventId = decodeSegment(match[2]);
  if (userId === undefined || eventId === undefined || !isGraphId(userId) || !isGraphId(eventId)) {
    return undefined;
  }
  return { userId, eventId };
}

/** The user a subscription resource names: `/users/{userId}/events`. */
export function parseSubscriptionResource(resource: string | undefined): string | undefined {
  return /^\/?users\/([^/]+)\/(?:calendar\/)?events$/i.exec(resource ?? '')?.[1];
}

const dateTimeSchema = z.iso.datetime({ offset: true });

function isDateTimeOrAbsent(value: string | undefined): boolean {
  return value === undefined || dateTimeSchema.safeParse(value).success;
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
        ...(resource &&
        notification.changeType &&
        (notification.resourceData?.id === undefined || isGraphId(notification.resourceData.id))
          ? {
              change: {
                userId: resource.userId,
                eventId: notification.resourceData?.id ?? resource.eventId,
                changeType: notification.changeType,
                changeKey: changeKeyFromEtag(notification.resourceData?.['@odata.etag']),
              },
            }
          : {}),
        // A lifecycle notification whose expiry is not a date-time is not read as one: it counts as malformed.
        ...(notification.lifecycleEvent && isDateTimeOrAbsent(notification.subscriptionExpirationDateTime)
          ? {
              lifecycle: {
                event: notification.lifecycleEvent,
                userId: parseSubscriptionResource(notification.resource),
                subscriptionExpiresAt: notification.subscriptionExpirationDateTime,
                notificationId: notification.id,
              },
            }
          : {}),
      };
    });
  },
};
