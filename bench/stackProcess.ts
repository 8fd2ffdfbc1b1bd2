import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEndpoints } from '../dev/localStack.js';

/** The built local stack as a child process on free ports, so a load generator here does not share its CPU time slice. */
export async function startStackProcess(
  tlsDir: string,
): Promise<{ endpoints: LocalEndpoints; stateDir: string; stop(): Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'hybrid-calendar-bench-'));
  await cp(tlsDir, join(stateDir, 'tls'), { recursive: true });
  const child: ChildProcess = spawn(process.execPath, ['dist/dev/localStack.js'], {
    env: {
      ...process.env,
      LOCAL_STATE_DIR: stateDir,
      LOCAL_API_PORT: '0',
      LOCAL_COSMOS_PORT: '0',
      LOCAL_GRAPH_PORT: '0',
      LOCAL_WEBEX_PORT: '0',
      LOCAL_RUN_TIMERS: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let waited = 0; waited < 60_000; waited += 200) {
    try {
      const endpoints = JSON.parse(
        await readFile(join(stateDir, 'endpoints.json'), 'utf8'),
      ) as LocalEndpoints;
      return {
        endpoints,
        stateDir,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  child.kill('SIGKILL');
  throw new Error('the local stack did not start within 60 s');
}
