import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEndpoints } from '../../dev/localStack.js';

export interface LocalStackProcess {
  endpoints: LocalEndpoints;
  stateDir: string;
  /** Everything the stack printed, for assertions and for diagnosing a failed start. */
  output(): string;
  stop(): Promise<number | null>;
}

const projectRoot = new URL('../../', import.meta.url).pathname;

/**
 * Tries until `attempt` gives a value, the process exits (which fails at once: a stack that died
 * will never answer), or the time is up. Timing here is the test runner's own, on the machine's clock.
 */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (exitCode !== undefined)
      throw new Error(`the stack exited (code ${exitCode}) before ${what} appeared`);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 200)), exited]);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Starts the local stack the way a person does, `npm start`, on free ports and a state folder of its
 * own, and waits until `.local/endpoints.json` exists and health answers 200.
 */
export async function startLocalStackProcess(
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<LocalStackProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stateDir = await mkdtemp(join(tmpdir(), 'hybrid-calendar-e2e-'));
  // The stack reuses the tests' certificate authority, so this process trusts its HTTPS servers.
  const testStateDir = process.env.TEST_STATE_DIR;
  if (testStateDir) await cp(join(testStateDir, 'tls'), join(stateDir, 'tls'), { recursive: true });
  let output = '';
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot,
    detached: true,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: '',
      LOCAL_STATE_DIR: stateDir,
      LOCAL_API_PORT: '0',
      LOCAL_COSMOS_PORT: '0',
      LOCAL_GRAPH_PORT: '0',
      LOCAL_WEBEX_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    // A spawn that fails (npm not found) emits 'error' and maybe no 'exit'.
    child.on('error', (error) => {
      output += `\n${error.message}`;
      resolve(-1);
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        // The whole process group: npm, the shell, the stack and its relaunched child.
        process.kill(-child.pid, 'SIGTERM');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    return exited;
  };
  try {
    const endpoints = await waitFor('endpoints.json', timeoutMs, exited, async () => {
      return JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    });
    return { endpoints, stateDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- stack output ---\n${output}`,
    );
  }
}

/** An app-only Graph token from the stack's identity endpoint, by client credentials, as any client gets one. */
export async function graphAppToken(endpoints: LocalEndpoints): Promise<string> {
  const answer = await fetch(endpoints.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: endpoints.clientId,
      client_secret: endpoints.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return ((await answer.json()) as { access_token: string }).access_token;
}

/**
 * Waits until the running stack has nothing left to do: every notification the Graph simulator
 * gathered is delivered, and every message on the bus is settled; again, until a round changes
 * nothing (the service's own writes cause notifications of their own). The positive signal to wait
 * for before asserting that something did not happen.
 */
export async function waitUntilQuiet(endpoints: LocalEndpoints): Promise<void> {
  const hostBase = endpoints.api.replace(/\/api$/, '');
  let previous = '';
  for (let round = 0; round < 20; round++) {
    const settled = await fetch(`${endpoints.graphControl}/notifications/settle`, { method: 'POST' });
    if (!settled.ok) throw new Error(`the Graph simulator did not settle: ${settled.status}`);
    const idle = await fetch(`${hostBase}/admin/bus/idle`, { method: 'POST' });
    if (!idle.ok) throw new Error(`the local bus did not report idle: ${idle.status}`);
    const now = JSON.stringify(await settled.json());
    if (now === previous) return;
    previous = now;
  }
  throw new Error('the stack did not become quiet within 20 rounds');
}
