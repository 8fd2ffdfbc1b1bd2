import { isAppError } from '../errors.js';

/** One dependency the service cannot work without. `check` throws when it is down. */
export interface HealthProbe {
  name: string;
  check(): Promise<void>;
}

export interface ComponentHealth {
  status: 'up' | 'down';
  /** Round trip of the probe in milliseconds. */
  latencyMs: number;
  /** Why it is down: an error code or a short message, never data. */
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
        await Promise.race([
          probe.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [probe.name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
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
