import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface LocalTls {
  /** The local certificate authority: what NODE_EXTRA_CA_CERTS points at. */
  caCertPath: string;
  cert: string;
  key: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The local stack's TLS: a private CA and a server certificate for 127.0.0.1 and localhost, made on
 * first run under the state folder. MSAL, the Graph client and Cosmos all insist on https, and Node
 * trusts this CA through NODE_EXTRA_CA_CERTS, so the production code runs unchanged.
 */
export async function ensureLocalTls(stateDir: string): Promise<LocalTls> {
  const dir = join(stateDir, 'tls');
  const caCertPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server-key.pem');
  const [ca, cert, key] = await Promise.all([
    readIfPresent(caCertPath),
    readIfPresent(certPath),
    readIfPresent(keyPath),
  ]);
  if (ca && cert && key) return { caCertPath, cert, key };

  const notAfterDate = new Date(Date.now() + 5 * 365 * 86_400_000);
  const authority = await generate([{ name: 'commonName', value: 'hybrid-calendar local CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: authority.private, cert: authority.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeFile(keyPath, server.private, { mode: 0o600 });
  await writeFile(certPath, server.cert);
  await writeFile(caCertPath, authority.cert);
  return { caCertPath, cert: server.cert, key: server.private };
}

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start-up, so a process that talks to the local servers
 * relaunches itself with it set, unless it already is. The parent just waits and passes signals on.
 */
export async function relaunchTrustingLocalCa(caCertPath: string): Promise<void> {
  if (process.env.NODE_EXTRA_CA_CERTS === caCertPath) return;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  const code = await new Promise<number>((done) => child.on('exit', (exitCode) => done(exitCode ?? 1)));
  process.exit(code);
}
