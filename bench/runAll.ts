import { dirname, resolve } from 'node:path';
import { ensureLocalTls, relaunchTrustingLocalCa } from '../dev/localTls.js';
import { benchCosmosStore } from './cosmosStore.js';
import { benchDecoration } from './decoration.js';
import { benchGraphAdapter } from './graphAdapter.js';
import { benchInProcessBus } from './inProcessBus.js';
import { benchJoinNotifications } from './joinNotifications.js';
import { benchMeetingsList } from './meetingsList.js';
import { benchPresencePolling } from './presencePolling.js';
import { benchReconciliation } from './reconciliation.js';
import { benchRecords } from './records.js';
import { benchRenewal } from './renewal.js';
import { benchWebhook } from './webhook.js';

/** `npm run bench`: every benchmark, figures printed one per line. Timings are for reading, not asserting. */
async function main(): Promise<void> {
  const tls = await ensureLocalTls(resolve(process.env.LOCAL_STATE_DIR || '.local'));
  await relaunchTrustingLocalCa(tls.caCertPath);
  console.log(`hybrid-calendar benchmarks (node ${process.version}, ${new Date().toISOString()})`);
  for (const lines of [
    await benchInProcessBus(),
    await benchCosmosStore(tls),
    await benchGraphAdapter(tls),
    await benchGraphAdapter(tls, { throttleRate: 0.1 }),
    await benchRenewal(dirname(tls.caCertPath)),
    await benchReconciliation(dirname(tls.caCertPath)),
    await benchWebhook(dirname(tls.caCertPath)),
    await benchDecoration(dirname(tls.caCertPath)),
    await benchRecords(dirname(tls.caCertPath)),
    await benchMeetingsList(dirname(tls.caCertPath)),
    await benchPresencePolling(dirname(tls.caCertPath)),
    await benchJoinNotifications(tls),
  ]) {
    for (const line of lines) console.log(line);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
