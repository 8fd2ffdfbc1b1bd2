import type { Session } from './signIn.js';

/** An answer of the admin API that was not 2xx, with the reason the API gave. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The admin API of the signed-in administrator's tenant; ids travel in paths and bodies, never in the page URL. */
export class AdminApi {
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  get tenantId(): string {
    return this.#session.tenantId;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`/api/admin/tenants/${encodeURIComponent(this.tenantId)}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#session.accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      // The token lives in memory for its hour; after that the API says 401 and a new sign-in helps.
      const hint = response.status === 401 ? ' Your sign-in has expired: sign out and sign in again.' : '';
      throw new ApiError(
        response.status,
        error?.code ?? 'error',
        `${error?.message ?? `The API answered ${response.status}.`}${hint}`,
      );
    }
    return parsed as T;
  }
}
