import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { FederatedIdentityCredential } from '../../dev/graphSimulator/federatedCredentials.js';
import {
  type ClientAssertion,
  type ClientAssertionSource,
  tokenExchangeAudience,
} from '../../shared/adapters/graph/clientAssertion.js';
import type { Clock } from '../../shared/time/clock.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** What a test may change in an assertion to get one the simulator must refuse. */
export interface AssertionVariant {
  issuer?: string;
  subject?: string;
  audience?: string;
  lifetimeSeconds?: number;
  /** Sign with a key the issuer never published. */
  foreignKey?: boolean;
}

/**
 * A local stand-in for the managed identity's token issuer: publishes its signing keys over HTTP,
 * signs tokens for `api://AzureADTokenExchange` on the given clock, and serves them as MSAL's client
 * assertions. Counts the assertions it signs, so tests see when one is renewed.
 */
export class LocalManagedIdentityIssuer implements ClientAssertionSource {
  readonly principalId = '3d9c1b7e-5a2f-4e60-8b1d-7c4a2e9f0b13';
  readonly #clock: Clock;
  readonly #lifetimeSeconds: number;
  #server: Server | undefined;
  #issuer = '';
  #privateKey: PrivateKey | undefined;
  #foreignKey: PrivateKey | undefined;
  #jwk: JWK | undefined;
  signed = 0;

  constructor(clock: Clock, lifetimeSeconds = 3_600) {
    this.#clock = clock;
    this.#lifetimeSeconds = lifetimeSeconds;
  }

  async start(): Promise<void> {
    const [own, foreign] = await Promise.all([
      generateKeyPair('RS256', { extractable: true }),
      generateKeyPair('RS256'),
    ]);
    this.#privateKey = own.privateKey;
    this.#foreignKey = foreign.privateKey;
    this.#jwk = { ...(await exportJWK(own.publicKey)), kid: 'local-mi-key', use: 'sig', alg: 'RS256' };
    const server = createServer((request, response) => {
      if (request.url === '/keys') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: [this.#jwk] }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.#issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/managed-identity/v2.0`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The federated identity credential an app registration would hold to trust this identity. */
  federatedCredential(): FederatedIdentityCredential {
    return {
      issuer: this.#issuer,
      subject: this.principalId,
      audiences: [tokenExchangeAudience],
      jwksUri: this.#issuer.replace(/\/managed-identity\/v2\.0$/, '/keys'),
    };
  }

  async sign(variant: AssertionVariant = {}): Promise<ClientAssertion> {
    const key = variant.foreignKey ? this.#foreignKey : this.#privateKey;
    if (!key) throw new Error('the local managed identity is not started');
    const now = Math.floor(this.#clock.now().getTime() / 1000);
    const lifetime = variant.lifetimeSeconds ?? this.#lifetimeSeconds;
    this.signed += 1;
    const jwt = await new SignJWT({ tid: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'local-mi-key' })
      .setIssuer(variant.issuer ?? this.#issuer)
      .setSubject(variant.subject ?? this.principalId)
      .setAudience(variant.audience ?? tokenExchangeAudience)
      .setIssuedAt(now)
      .setNotBefore(Math.min(now, now + lifetime))
      .setExpirationTime(now + lifetime)
      .sign(key);
    return { jwt, expiresOnMs: (now + lifetime) * 1000 };
  }

  assertion(): Promise<ClientAssertion> {
    return this.sign();
  }
}
