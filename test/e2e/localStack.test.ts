import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStackProcess, startLocalStackProcess } from '../support/localStackProcess.js';

let stack: LocalStackProcess;
let startedInMs: number;

beforeAll(async () => {
  const started = Date.now();
  stack = await startLocalStackProcess();
  startedInMs = Date.now() - started;
});

afterAll(async () => {
  await stack?.stop();
});

describe('the local stack (npm start)', () => {
  it('when started, then health reports every component up', async () => {
    const response = await fetch(`${stack.endpoints.api}/health`);
    const report = (await response.json()) as {
      status: string;
      components: Record<string, { status: string }>;
    };

    expect(response.status).toBe(200);
    expect(report.status).toBe('up');
    expect(Object.keys(report.components).sort()).toEqual(['bus', 'graph', 'keyWrapping', 'store', 'webex']);
    expect(Object.values(report.components).every((component) => component.status === 'up')).toBe(true);
    // The budget is 30 s from a fresh clone; the build inside npm start is counted here too.
    console.log(`local stack healthy ${startedInMs} ms after npm start`);
  });

  it('when started, then endpoints.json names the functions and the Cosmos endpoint', async () => {
    await expect(access(join(stack.stateDir, 'endpoints.json'))).resolves.toBeUndefined();
    expect(stack.endpoints.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(stack.endpoints.cosmos).toMatchObject({ database: 'hybrid-calendar' });
    expect(stack.endpoints.cosmos.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('when an unknown route is asked for, then the answer is a JSON 404', async () => {
    const response = await fetch(`${stack.endpoints.api}/does-not-exist`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('when an admin asks for the dead letters, then the stack answers from its records; without a token, 401', async () => {
    const url = `${stack.endpoints.api}/admin/tenants/${stack.endpoints.tenantId}/dead-letters`;
    const minted = await fetch(`${stack.endpoints.graphControl}/tokens/api`, {
      method: 'POST',
      body: JSON.stringify({ user: 'alice@contoso.example' }),
    });
    const { access_token: token } = (await minted.json()) as { access_token: string };

    const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ counts: expect.any(Object), records: expect.any(Array) });
    expect((await fetch(url)).status).toBe(401);
  });

  it('when stopped with SIGTERM, then every part shuts down and the process exits cleanly', async () => {
    const api = stack.endpoints.api;

    await stack.stop();

    // npm itself dies of the signal; the stack below it reports its own clean shutdown and lets go of its ports.
    await expect.poll(() => stack.output(), { timeout: 10_000 }).toContain('local stack stopped');
    await expect(fetch(`${api}/health`)).rejects.toThrow();
  });
});

describe('the local stack with invalid configuration', () => {
  it('when a setting is invalid, then it refuses to start and names the setting', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['dist/dev/localStack.js'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        ...process.env,
        LOCAL_API_PORT: '0',
        LOCAL_COSMOS_PORT: '0',
        LOCAL_GRAPH_PORT: '0',
        LOCAL_WEBEX_PORT: '0',
        COSMOS_DATABASE: 'not valid!',
        AZURE_CLIENT_ID: 'x',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('COSMOS_DATABASE');
    expect(result.stderr).toContain('AZURE_CLIENT_ID');
  });

  it('when the stack cannot start, then starting it fails at once with what it printed', async () => {
    // An empty audience is a bad setting: the stack names it and exits with 1.
    const failure = await startLocalStackProcess({ env: { API_AUTH_AUDIENCE: '' } }).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(/exited \(code 1\)/);
    expect(String((failure as Error).message)).toContain('API_AUTH_AUDIENCE');
  });
});
