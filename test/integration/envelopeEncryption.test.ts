import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { LocalFileKeyWrapper } from '../../dev/localKeyWrapper.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../../shared/crypto/envelopeEncryption.js';
import { ManualClock } from '../../shared/time/clock.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';

const valueSchema = z.object({ subject: z.string(), invitees: z.array(z.string()) });
const value = { subject: 'Board meeting', invitees: ['alice@contoso.example', 'bjorn@contoso.example'] };

let cosmos: EmbeddedCosmos;
let store: CosmosDocumentStore;
let wrapper: LocalFileKeyWrapper;
let clock: ManualClock;

function buildCipher(ttlMs = 60_000) {
  const ring = new DataKeyRing({ wrapper, keys: store.collection(dataKeys), clock, cacheTtlMs: ttlMs });
  return { ring, cipher: new EnvelopeCipher(ring) };
}

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: 'envelope',
    auth: { key: cosmos.key },
  });
  await store.ensureContainers([dataKeys]);
  wrapper = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'envelope-')), 'key.json'));
  clock = new ManualClock('2026-11-22T10:00:00Z');
});

afterAll(async () => {
  store?.dispose();
  await cosmos?.stop();
});

describe('envelope encryption', () => {
  it('when a value is sealed, then the sealed form shows none of it and opens back to the same value', async () => {
    const { cipher } = buildCipher();

    const sealed = await cipher.seal('user-1', 'record-1', value);

    expect(JSON.stringify(sealed)).not.toMatch(/Board|alice|contoso/);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(await cipher.open('user-1', 'record-1', sealed, valueSchema)).toEqual(value);
  });

  it('when the same value is sealed twice, then the IVs and ciphertexts differ', async () => {
    const { cipher } = buildCipher();
    const [a, b] = await Promise.all([cipher.seal('user-1', 'r', value), cipher.seal('user-1', 'r', value)]);

    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('when the record id, a byte or the tag differs, then it does not open', async () => {
    const { cipher } = buildCipher();
    const sealed = await cipher.seal('user-2', 'record-2', value);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;

    await expect(cipher.open('user-2', 'record-3', sealed, valueSchema)).rejects.toMatchObject({
      code: 'key-unwrap-failed',
    });
    await expect(
      cipher.open('user-2', 'record-2', { ...sealed, ciphertext: bytes.toString('base64') }, valueSchema),
    ).rejects.toMatchObject({ code: 'key-unwrap-failed' });
    await expect(
      cipher.open('user-2', 'record-2', { ...sealed, tag: Buffer.alloc(16).toString('base64') }, valueSchema),
    ).rejects.toMatchObject({ code: 'key-unwrap-failed' });
  });

  it('when a user’s key is asked for many times, then it is unwrapped once per cache lifetime', async () => {
    const { cipher: writer } = buildCipher();
    const sealed = await writer.seal('user-3', 'record', value);
    const { ring, cipher } = buildCipher(60_000);

    await Promise.all(
      Array.from({ length: 200 }, () => cipher.open('user-3', 'record', sealed, valueSchema)),
    );
    const afterFirstBurst = ring.stats.unwraps;
    clock.advanceBy(61_000);
    await cipher.open('user-3', 'record', sealed, valueSchema);

    expect(afterFirstBurst).toBe(1);
    expect(ring.stats.unwraps).toBe(2);
  });

  it('when the key-encryption key is rotated, then old records still open and new data keys use the new version', async () => {
    const { cipher } = buildCipher();
    const old = await cipher.seal('user-4', 'record', value);

    const newKeyId = await wrapper.rotate();
    const { cipher: afterRotation } = buildCipher();
    await afterRotation.seal('user-5', 'record', value);
    const newDataKey = await store.collection(dataKeys).read('user-5.1', 'user-5');

    expect(await afterRotation.open('user-4', 'record', old, valueSchema)).toEqual(value);
    expect(newDataKey?.value.wrappedKey.keyId).toBe(newKeyId);
  });

  it('when two workers make a user’s first data key at once, then both end up with the same key', async () => {
    const one = buildCipher();
    const two = buildCipher();

    const [sealedByOne] = await Promise.all([
      one.cipher.seal('user-6', 'r1', value),
      two.cipher.seal('user-6', 'r2', value),
    ]);

    expect(await two.cipher.open('user-6', 'r1', sealedByOne, valueSchema)).toEqual(value);
  });
});
