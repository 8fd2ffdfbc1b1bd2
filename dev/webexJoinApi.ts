import { createHash } from 'node:crypto';
import { z } from 'zod';

/** An answer of the simulated API: status, JSON body, extra headers. */
export interface SimulatedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A workspace with a calendar (its room mailbox) and one RoomOS device. */
export interface SimulatedWorkspace {
  displayName: string;
  calendarEmail: string;
}

const maxMarkdownBytes = 7_439;

const cardSchema = z.object({
  contentType: z.literal('application/vnd.microsoft.card.adaptive'),
  content: z.object({
    type: z.literal('AdaptiveCard'),
    version: z.string().regex(/^1\.[0-3]$/, 'Webex renders adaptive cards up to 1.3'),
    body: z.array(z.object({ type: z.string() }).passthrough()).min(1),
    actions: z
      .array(
        z.discriminatedUnion('type', [
          z
            .object({ type: z.literal('Action.OpenUrl'), title: z.string().min(1), url: z.string().min(1) })
            .passthrough(),
          z.object({ type: z.literal('Action.Submit'), title: z.string().min(1) }).passthrough(),
        ]),
      )
      .max(5, 'at most 5 buttons per card')
      .optional(),
  }),
});

const messageSchema = z
  .object({
    toPersonEmail: z.string().regex(/^[^@\s]+@[^@\s]+$/),
    text: z.string().optional(),
    markdown: z.string().optional(),
    attachments: z.array(cardSchema).max(1, 'one card per message').optional(),
  })
  .refine((message) => message.text !== undefined || message.markdown !== undefined, {
    message: 'text or markdown is required (clients that show no cards show it)',
  })
  .refine((message) => Buffer.byteLength(message.markdown ?? message.text ?? '') <= maxMarkdownBytes, {
    message: `text and markdown are limited to ${maxMarkdownBytes} bytes`,
  });

const protocols = ['SIP', 'H323', 'ISDN', 'IP', 'Spark', 'WebRTC', 'None'] as const;
const platforms = ['GoogleMeet', 'MicrosoftTeams', 'Zoom', 'Webex', 'Other', 'None'] as const;

/** The fields RoomOS's `Bookings Put` requires (and the enumerations it accepts). */
const bookingSchema = z
  .object({
    Id: z.string().min(1),
    Title: z.string().max(128),
    Number: z.string(),
    Protocol: z.enum(protocols),
    MeetingPlatform: z.enum(platforms).optional(),
    Organizer: z.object({ Name: z.string(), Email: z.string().optional(), Id: z.string().optional() }),
    Time: z.object({
      StartTime: z.iso.datetime(),
      Duration: z.number().int().min(0),
      StartTimeBuffer: z.number().int().min(0).optional(),
      EndTimeBuffer: z.number().int().min(0).optional(),
    }),
  })
  .passthrough()
  .refine(
    (booking) =>
      booking.Protocol !== 'WebRTC' ||
      ['MicrosoftTeams', 'GoogleMeet'].includes(booking.MeetingPlatform ?? ''),
    {
      message: 'WebRTC works only for Microsoft Teams and Google Meet',
    },
  );

const bookingsPutSchema = z.object({
  deviceId: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).optional(),
  body: z.object({ Bookings: z.array(bookingSchema) }),
});

const publicRoutes = [
  'POST /v1/messages',
  'GET /v1/workspaces',
  'GET /v1/devices',
  'POST /v1/xapi/command/Bookings.Put',
];
const controlRoutes = ['GET /_control/messages', 'GET /_control/devices', 'POST /_control/throttle'];

function stableId(kind: string, seed: string): string {
  return Buffer.from(
    `ciscospark://us/${kind}/${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`,
  ).toString('base64url');
}

/**
 * The Webex APIs of Join notifications: `POST /v1/messages` (cards checked and recorded), workspaces
 * with calendar e-mails and their devices, the cloud xAPI `Bookings.Put` (RoomOS's required fields
 * checked; each device's list stored), and 429 with `Retry-After` on demand.
 */
export class WebexJoinApi {
  readonly messages: Array<{
    toPersonEmail: string;
    markdown: string | null;
    card: unknown;
    receivedAt: string;
  }> = [];
  readonly workspaces: Array<{ id: string; displayName: string; calendarEmail: string; deviceId: string }>;
  readonly #bookings = new Map<string, unknown[]>();
  /** Requests still to answer with 429, and the `Retry-After` they carry (seconds). */
  #throttle = { remaining: 0, retryAfterSeconds: 1 };

  constructor(workspaces: readonly SimulatedWorkspace[]) {
    this.workspaces = workspaces.map((workspace) => ({
      id: stableId('PLACE', workspace.calendarEmail.toLowerCase()),
      displayName: workspace.displayName,
      calendarEmail: workspace.calendarEmail.toLowerCase(),
      deviceId: stableId('DEVICE', workspace.calendarEmail.toLowerCase()),
    }));
  }

  /** Whether a request is one of these routes (public or control): only then is its body read here. */
  owns(method: string, path: string): boolean {
    return [...publicRoutes, ...controlRoutes].includes(`${method} ${path}`);
  }

  /** Answers a request of the public API, or undefined when it is not one of these routes. */
  handle(method: string, url: URL, body: unknown): SimulatedAnswer | undefined {
    const route = `${method} ${url.pathname}`;
    if (!publicRoutes.includes(route)) return undefined;
    if (this.#throttle.remaining > 0) {
      this.#throttle.remaining -= 1;
      return {
        status: 429,
        body: { message: 'Too many requests' },
        headers: { 'retry-after': String(this.#throttle.retryAfterSeconds) },
      };
    }
    if (route === 'POST /v1/messages') return this.#createMessage(body);
    if (route === 'GET /v1/workspaces')
      return {
        status: 200,
        body: {
          items: this.workspaces.map((workspace) => ({
            id: workspace.id,
            displayName: workspace.displayName,
            type: 'meetingRoom',
            calendar: { type: 'microsoft', emailAddress: workspace.calendarEmail },
          })),
        },
      };
    if (route === 'GET /v1/devices') {
      const workspaceId = url.searchParams.get('workspaceId');
      return {
        status: 200,
        body: {
          items: this.workspaces
            .filter((workspace) => !workspaceId || workspace.id === workspaceId)
            .map((workspace) => ({
              id: workspace.deviceId,
              displayName: workspace.displayName,
              workspaceId: workspace.id,
              product: 'Cisco Room Kit',
              type: 'roomdesk',
              connectionStatus: 'connected',
            })),
        },
      };
    }
    return this.#bookingsPut(body);
  }

  #createMessage(body: unknown): SimulatedAnswer {
    const parsed = messageSchema.safeParse(body);
    if (!parsed.success)
      return { status: 400, body: { message: parsed.error.issues.map((issue) => issue.message).join('; ') } };
    const message = parsed.data;
    const receivedAt = new Date().toISOString();
    this.messages.push({
      toPersonEmail: message.toPersonEmail.toLowerCase(),
      markdown: message.markdown ?? null,
      card: message.attachments?.[0]?.content ?? null,
      receivedAt,
    });
    return {
      status: 200,
      body: {
        id: stableId('MESSAGE', `${this.messages.length}`),
        roomType: 'direct',
        toPersonEmail: message.toPersonEmail,
        created: receivedAt,
      },
    };
  }

  #bookingsPut(body: unknown): SimulatedAnswer {
    const parsed = bookingsPutSchema.safeParse(body);
    if (!parsed.success)
      return {
        status: 400,
        body: {
          message: parsed.error.issues.map((issue) => `${issue.path.join('/')}: ${issue.message}`).join('; '),
        },
      };
    if (!this.workspaces.some((workspace) => workspace.deviceId === parsed.data.deviceId))
      return { status: 404, body: { message: 'Device not found' } };
    this.#bookings.set(parsed.data.deviceId, parsed.data.body.Bookings);
    return { status: 200, body: { deviceId: parsed.data.deviceId, result: { status: 'OK' } } };
  }

  /** Control routes: `GET /_control/messages`, `GET /_control/devices`, `POST /_control/throttle`. */
  control(method: string, path: string, body: unknown): SimulatedAnswer | undefined {
    if (method === 'GET' && path === '/_control/messages')
      return { status: 200, body: { items: this.messages } };
    if (method === 'GET' && path === '/_control/devices')
      return {
        status: 200,
        body: {
          items: this.workspaces.map((workspace) => ({
            id: workspace.deviceId,
            workspaceId: workspace.id,
            calendarEmail: workspace.calendarEmail,
            bookings: this.#bookings.get(workspace.deviceId) ?? [],
          })),
        },
      };
    if (method === 'POST' && path === '/_control/throttle') {
      const parsed = z
        .object({
          requests: z.number().int().min(0).max(10_000),
          retryAfterSeconds: z.number().int().min(1).max(3600),
        })
        .strict()
        .safeParse(body);
      if (!parsed.success)
        return {
          status: 400,
          body: { message: 'requests (0 to 10000) and retryAfterSeconds (1 to 3600) are required' },
        };
      this.#throttle = { remaining: parsed.data.requests, retryAfterSeconds: parsed.data.retryAfterSeconds };
      return { status: 200, body: parsed.data };
    }
    return undefined;
  }
}
