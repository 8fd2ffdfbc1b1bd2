import { z } from 'zod';
import { type EnvelopeCipher, sealedSchema } from '../crypto/envelopeEncryption.js';
import { AppError } from '../errors.js';
import { keyOf } from '../meetings/meetingRecord.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition, DocumentCollection } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import { internalHostReason } from './endpointAddresses.js';

/** A Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes. */
const secretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'a secret is whsec_ followed by base64 of 24 to 64 bytes');

/** What an administrator sends: each endpoint with its secret, or without to keep the one stored for that URL. */
export const cloudEventEndpointsInputSchema = z
  .object({
    endpoints: z
      .array(
        z
          .object({
            url: z
              .url({ protocol: /^https$/, error: 'endpoints are https:// URLs' })
              .superRefine((url, context) => {
                // Names are resolved and checked again at every send (a name can point inside later).
                const hostname = URL.canParse(url) ? new URL(url).hostname : undefined;
                const reason = hostname === undefined ? undefined : internalHostReason(hostname);
                if (reason) context.addIssue({ code: 'custom', message: reason });
              }),
            secret: secretSchema.optional(),
          })
          .strict(),
      )
      .max(5, 'at most 5 endpoints')
      .refine((list) => new Set(list.map((endpoint) => endpoint.url)).size === list.length, 'each URL once'),
  })
  .strict();
export type CloudEventEndpointsInput = z.infer<typeof cloudEventEndpointsInputSchema>;

const storedSchema = z.object({
  id: z.string().min(1),
  endpoints: z.array(z.object({ url: z.string(), secret: sealedSchema })),
  updatedAt: z.iso.datetime(),
});
type StoredEndpoints = z.infer<typeof storedSchema>;
export const cloudEventEndpointDocuments: CollectionDefinition<StoredEndpoints> = {
  ...containerLayouts.cloudEventEndpoints,
  schema: storedSchema,
};

/** What the settings API shows: the URLs, never a secret. */
export interface CloudEventEndpointsView {
  endpoints: Array<{ url: string; secretSet: true }>;
}

/** Where a sealed secret is bound: its tenant and URL. */
function aad(url: string): string {
  return `cloudevents:${keyOf(url)}`;
}

/**
 * A tenant's CloudEvents endpoints (tenant settings of the `cloudevents` channel): secrets sealed
 * under the tenant's data key before they reach Cosmos, opened only to sign, read at most once a
 * minute per instance.
 */
export class CloudEventEndpoints {
  readonly #documents: DocumentCollection<StoredEndpoints>;
  readonly #cipher: Pick<EnvelopeCipher, 'seal' | 'open'>;
  readonly #clock: Clock;
  readonly #cache = new Map<
    string,
    { endpoints: Array<{ url: string; secret: string }>; expiresAt: number }
  >();

  constructor(options: {
    documents: DocumentCollection<StoredEndpoints>;
    cipher: Pick<EnvelopeCipher, 'seal' | 'open'>;
    clock: Clock;
  }) {
    this.#documents = options.documents;
    this.#cipher = options.cipher;
    this.#clock = options.clock;
  }

  async view(tenantId: string): Promise<CloudEventEndpointsView> {
    const stored = (await this.#documents.read(tenantId, tenantId))?.value;
    return {
      endpoints: (stored?.endpoints ?? []).map((endpoint) => ({ url: endpoint.url, secretSet: true })),
    };
  }

  async replace(tenantId: string, input: CloudEventEndpointsInput): Promise<CloudEventEndpointsView> {
    const stored = (await this.#documents.read(tenantId, tenantId))?.value;
    const endpoints: StoredEndpoints['endpoints'] = [];
    for (const endpoint of input.endpoints) {
      if (endpoint.secret) {
        endpoints.push({
          url: endpoint.url,
          secret: await this.#cipher.seal(tenantId, aad(endpoint.url), endpoint.secret),
        });
        continue;
      }
      const kept = stored?.endpoints.find((candidate) => candidate.url === endpoint.url);
      if (!kept) throw new AppError('input-invalid', 'a new endpoint needs its secret');
      endpoints.push(kept);
    }
    await this.#documents.upsert({ id: tenantId, endpoints, updatedAt: this.#clock.now().toISOString() });
    this.#cache.delete(tenantId);
    return this.view(tenantId);
  }

  /** The endpoints with their secrets in clear, for signing only. */
  async endpointsOf(tenantId: string): Promise<Array<{ url: string; secret: string }>> {
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(tenantId);
    if (cached && cached.expiresAt > now) return cached.endpoints;
    const stored = (await this.#documents.read(tenantId, tenantId))?.value;
    const endpoints = await Promise.all(
      (stored?.endpoints ?? []).map(async (endpoint) => ({
        url: endpoint.url,
        secret: await this.#cipher.open(tenantId, aad(endpoint.url), endpoint.secret, z.string()),
      })),
    );
    this.#cache.set(tenantId, { endpoints, expiresAt: now + 60_000 });
    return endpoints;
  }
}
