import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ClientStateSigner } from '../shared/watch/clientState.js';
import { startStackProcess } from './stackProcess.js';

/**
 * The notification webhook on the local host under load: 1- and 10-notification batches at a fixed
 * 500 requests per second for 10 seconds (autocannon), every notification valid and distinct, so
 * each one is verified and put on the bus.
 */
export async function benchWebhook(tlsDir: string): Promise<string[]> {
  const stack = await startStackProcess(tlsDir);
  try {
    const secret = Buffer.from(
      (await readFile(join(stack.stateDir, 'secrets', 'client-state-secret'), 'utf8')).trim(),
      'base64',
    );
    const signer = new ClientStateSigner(secret);
    const { tenantId } = stack.endpoints;
    const users = stack.endpoints.users.map((user) => ({
      id: user.id,
      clientState: signer.create(tenantId, user.id),
    }));
    const lines: string[] = [];
    // The first pass warms the JIT and the connections; only the measured passes are printed.
    for (const [batchSize, measured] of [
      [1, false],
      [1, true],
      [10, true],
    ] as const) {
      let counter = 0;
      const body = () => {
        const value = Array.from({ length: batchSize }, () => {
          counter += 1;
          const user = users[counter % users.length] as (typeof users)[number];
          const eventId = `AAMkAG-bench-${batchSize}-${counter}=`;
          return {
            subscriptionId: 'bench',
            changeType: 'updated',
            resource: `Users/${user.id}/Events/${eventId}`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Event',
              '@odata.etag': `W/"${counter}"`,
              id: eventId,
            },
            clientState: user.clientState,
            tenantId,
          };
        });
        return JSON.stringify({ value });
      };
      const result = await autocannon({
        url: `${stack.endpoints.api}/notifications`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: 20,
        overallRate: 500,
        duration: measured ? 10 : 3,
        requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
      });
      const non2xx = result.non2xx + result.errors;
      if (!measured) continue;
      lines.push(
        `webhook: ${String(batchSize).padStart(2)} notification(s)/request at 500 req/s target   ${result.requests.average.toFixed(0)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms  failed ${non2xx}`,
      );
    }
    return lines;
  } finally {
    await stack.stop();
  }
}
