import { isAppError } from '../errors.js';

/**
 * One dependency the service cannot work without. `check` throws when it is down; it may return why
 * it is up without having looked (nothing to look at yet), which the report shows as `reason`.
 */
export interface HealthProbe {
  name: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: most probes are adapters' `checkHealth(): Promise<void>`; a string is the note.
  check(): Promise<void | string>;
}

export interface ComponentHealth {
  status: 'up' | 'down';
  /** Round trip of the probe in milliseconds. */
  latencyMs: number;
  /** Why it is down (an error code or a short message, never data), or why up without a look. */
  reason?: string;
}

export interface HealthReport {
  status: 'up' | 'down';
  components: Record<string, ComponentHealth>;
}

/** Our own errors say what failed in words of ours; anything else is not echoed to an anonymous caller. */
function reasonOf(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof ProbeTimeout) return error.message;
  return 'unexpected error';
}

class ProbeTimeout extends Error {}

/** Probes every dependency in parallel, each bounded by `timeoutMs`; up only when all are up. */
export async function checkHealth(probes: readonly HealthProbe[], timeoutMs = 5_000): Promise<HealthReport> {
  const results = await Promise.all(
    probes.map(async (probe): Promise<[string, ComponentHealth]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const note = await Promise.race([
          probe.check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        const latencyMs = Math.round(performance.now() - started);
        return [
          probe.name,
          { status: 'up', latencyMs, ...(typeof note === 'string' ? { reason: note } : {}) },
        ];
      } catch (error) {
        return [
          probe.name,
          { status: 'down', latencyMs: Math.round(performance.now() - started), reason: reasonOf(error) },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const components = Object.fromEntries(results);
  const status = results.every(([, health]) => health.status === 'up') ? 'up' : 'down';
  return { status, components };
}
