import { z } from 'zod';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import { defaultKeywords, type MeetingKind } from './detection.js';
import { joinStringsSchema, supportedLanguages } from './joinTemplates.js';

/** What an administrator configures for a tenant. */
export const tenantSettingsInputSchema = z
  .object({
    /** Location keywords and what each asks for; replaces the defaults. */
    keywords: z
      .record(
        z
          .string()
          .regex(/^@[a-z0-9:._-]{2,40}$/i, 'keywords start with @ and hold letters, digits and : . _ -'),
        z.enum(['personal-room', 'space']),
      )
      .refine(
        (value) => Object.keys(value).length > 0 && Object.keys(value).length <= 20,
        'between 1 and 20 keywords',
      ),
    /** Language when the organiser's mailbox names none we have words for. */
    defaultLanguage: z.enum(supportedLanguages),
    /** Words of the join block per language, over the built-in ones. */
    templates: z.partialRecord(z.enum(supportedLanguages), joinStringsSchema.partial()),
    /** Minutes before a meeting that the Join notification goes out. */
    leadTimeMinutes: z.number().int().min(0).max(60),
    /**
     * The channels Join notifications go through (`webex-message`, `room-bookings`, `cloudevents`,
     * `console`); all by default. A channel that is not set up (no CloudEvents endpoint, no console
     * outside local runs) sends nothing either way.
     */
    joinChannels: z
      .array(z.enum(['webex-message', 'room-bookings', 'cloudevents', 'console']))
      .max(4)
      .refine((value) => new Set(value).size === value.length, 'each channel once'),
  })
  .partial()
  .strict();
export type TenantSettingsInput = z.infer<typeof tenantSettingsInputSchema>;

export const tenantDocumentSchema = z.object({
  id: z.string().min(1),
  settings: tenantSettingsInputSchema,
  updatedAt: z.iso.datetime(),
});
export type TenantDocument = z.infer<typeof tenantDocumentSchema>;
export const tenants: CollectionDefinition<TenantDocument> = {
  ...containerLayouts.tenants,
  schema: tenantDocumentSchema,
};

export interface TenantSettings {
  keywords: Readonly<Record<string, MeetingKind>>;
  defaultLanguage: string;
  templates: NonNullable<TenantSettingsInput['templates']>;
  leadTimeMinutes: number;
  joinChannels: ReadonlyArray<'webex-message' | 'room-bookings' | 'cloudevents' | 'console'>;
}

export function effectiveSettings(input: TenantSettingsInput | undefined): TenantSettings {
  return {
    keywords: input?.keywords ?? defaultKeywords,
    defaultLanguage: input?.defaultLanguage ?? 'en',
    templates: input?.templates ?? {},
    leadTimeMinutes: input?.leadTimeMinutes ?? 5,
    joinChannels: input?.joinChannels ?? ['webex-message', 'room-bookings', 'cloudevents', 'console'],
  };
}

/** What administrators set per tenant (Cosmos DB in production; its adapter holds the queries). */
export interface TenantSettingsStore {
  /** What the tenant's administrators set, or undefined when they set nothing yet. */
  read(tenantId: string): Promise<TenantSettingsInput | undefined>;
  /** Replaces everything set before. */
  replace(tenantId: string, settings: TenantSettingsInput, updatedAt: Date): Promise<void>;
}

/** A tenant's settings, read at most once a minute per instance. */
export class TenantSettingsCache {
  readonly #store: TenantSettingsStore;
  readonly #cache = new Map<string, { settings: TenantSettings; expiresAt: number }>();
  readonly #clock: Clock;

  constructor(store: TenantSettingsStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async get(tenantId: string): Promise<TenantSettings> {
    const cached = this.#cache.get(tenantId);
    if (cached && cached.expiresAt > this.#clock.now().getTime()) return cached.settings;
    const settings = effectiveSettings(await this.#store.read(tenantId));
    this.#cache.set(tenantId, { settings, expiresAt: this.#clock.now().getTime() + 60_000 });
    return settings;
  }

  forget(tenantId: string): void {
    this.#cache.delete(tenantId);
  }
}
