import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { JoinDetails } from '../../meetings/joinBlock.js';
import type { JoinDetailsProvider } from '../../meetings/joinDetailsProvider.js';
import { inClientSpan, routeTemplate } from '../../observability/telemetry.js';

const personalRoomSchema = z.object({
  personalMeetingRoomLink: z.string(),
  sipAddress: z.string().nullish(),
  accessCode: z.string().nullish(),
  telephony: z
    .object({
      accessCode: z.string().nullish(),
      callInNumbers: z
        .array(
          z.object({ label: z.string().nullish(), callInNumber: z.string(), tollType: z.string().nullish() }),
        )
        .nullish(),
    })
    .nullish(),
});
const roomSchema = z.object({ id: z.string() });
const personSchema = z.object({ id: z.string() });
const meetingInfoSchema = z.object({
  meetingLink: z.string(),
  sipAddress: z.string().nullish(),
  meetingNumber: z.string().nullish(),
  callInTollNumber: z.string().nullish(),
  callInTollFreeNumber: z.string().nullish(),
});

/** The fixed words of the Webex paths called here; every other segment is an id. */
const webexStaticSegments: ReadonlySet<string> = new Set([
  'people',
  'me',
  'meetingPreferences',
  'personalMeetingRoom',
  'memberships',
  'rooms',
  'meetingInfo',
]);

/** The Webex REST API (https://webexapis.com/v1) with a service app or bot token. */
export class WebexJoinDetails implements JoinDetailsProvider {
  readonly #baseUrl: string;
  readonly #token: string;

  constructor(options: { baseUrl: string; accessToken: string }) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.accessToken;
  }

  /** One call, in a client span named by its route template: the query (e-mail addresses) is never recorded. */
  #call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const operation = `${method} ${routeTemplate(path, webexStaticSegments)}`;
    return inClientSpan('webex', operation, new URL(this.#baseUrl).hostname, async (span) => {
      const result = await this.#callInSpan(method, path, schema, body, (status) =>
        span.setAttribute('http.response.status_code', status),
      );
      return result;
    });
  }

  async #callInSpan<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    body: unknown,
    answered: (status: number) => void,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new AppError('dependency-unavailable', `Webex ${method} ${path.split('?')[0]}: unreachable`, {
        cause: error,
      });
    }
    answered(response.status);
    const action = `Webex ${method} ${path.split('?')[0]?.replace(/\/rooms\/[^/]+/, '/rooms/{id}')}`;
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '1');
      throw new AppError('throttled', `${action}: throttled`, { retryAfterMs: retryAfter * 1000 });
    }
    if (response.status === 401 || response.status === 403)
      throw new AppError('unauthorized', `${action}: refused (${response.status})`);
    if (response.status === 404) throw new AppError('not-found', `${action}: not found`);
    if (response.status >= 500)
      throw new AppError('dependency-unavailable', `${action}: answered ${response.status}`);
    if (response.status >= 400)
      throw new AppError('request-rejected', `${action}: answered ${response.status}`);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) throw new AppError('dependency-unavailable', `${action}: unexpected answer`);
    return parsed.data;
  }

  /** The cheapest call that proves the token works: `GET /people/me`. Throws when Webex or the token fails. */
  async checkHealth(): Promise<void> {
    await this.#call('GET', '/people/me', personSchema);
  }

  async personalRoom(hostEmail: string): Promise<JoinDetails> {
    const room = await this.#call(
      'GET',
      `/meetingPreferences/personalMeetingRoom?userEmail=${encodeURIComponent(hostEmail)}`,
      personalRoomSchema,
    );
    return {
      link: room.personalMeetingRoomLink,
      sipAddress: room.sipAddress ?? null,
      meetingNumber: room.telephony?.accessCode ?? room.accessCode ?? null,
      dialIn: (room.telephony?.callInNumbers ?? []).map((entry) => ({
        label: entry.label ?? entry.tollType ?? 'Call-in',
        number: entry.callInNumber,
      })),
    };
  }

  async addMissingMembers(spaceId: string, memberEmails: readonly string[]): Promise<number> {
    const current = await this.#call(
      'GET',
      `/memberships?roomId=${encodeURIComponent(spaceId)}&max=1000`,
      z.object({ items: z.array(z.object({ personEmail: z.string().nullish() })) }),
    );
    const members = new Set(current.items.map((item) => (item.personEmail ?? '').toLowerCase()));
    const missing = [...new Set(memberEmails.map((address) => address.toLowerCase()))].filter(
      (address) => !members.has(address),
    );
    for (const personEmail of missing.slice(0, 100)) {
      await this.#call('POST', '/memberships', z.object({ id: z.string() }), {
        roomId: spaceId,
        personEmail,
      });
    }
    return Math.min(missing.length, 100);
  }

  async spaceMeeting(
    title: string,
    memberEmails: readonly string[],
  ): Promise<JoinDetails & { spaceId: string }> {
    const room = await this.#call('POST', '/rooms', roomSchema, { title: title.slice(0, 100) || 'Meeting' });
    for (const personEmail of memberEmails.slice(0, 100)) {
      await this.#call('POST', '/memberships', z.object({ id: z.string() }), {
        roomId: room.id,
        personEmail,
      });
    }
    const info = await this.#call(
      'GET',
      `/rooms/${encodeURIComponent(room.id)}/meetingInfo`,
      meetingInfoSchema,
    );
    return {
      spaceId: room.id,
      link: info.meetingLink,
      sipAddress: info.sipAddress ?? null,
      meetingNumber: info.meetingNumber ?? null,
      dialIn: [
        ...(info.callInTollNumber ? [{ label: 'Toll', number: info.callInTollNumber }] : []),
        ...(info.callInTollFreeNumber ? [{ label: 'Toll free', number: info.callInTollFreeNumber }] : []),
      ],
    };
  }
}
