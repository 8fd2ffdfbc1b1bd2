import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalFileKeyWrapper } from '../../../dev/localKeyWrapper.js';

let keyFile: string;

beforeEach(async () => {
  keyFile = join(await mkdtemp(join(tmpdir(), 'key-wrapper-')), 'keys', 'key-wrapping.json');
});

describe('LocalFileKeyWrapper', () => {
  it('when a data key is wrapped and unwrapped, then the same bytes come back under a versioned key id', async () => {
    const wrapper = new LocalFileKeyWrapper(keyFile);
    const dataKey = crypto.getRandomValues(new Uint8Array(32));

    const wrapped = await wrapper.wrapKey(dataKey);
    const unwrapped = await wrapper.unwrapKey(wrapped);

    expect(wrapped.algorithm).toBe('RSA-OAEP-256');
    expect(wrapped.keyId).toMatch(/^local:\/\/hybrid-calendar\/keys\/data-key-wrapping\/[0-9a-f]{16}$/);
    expect(Buffer.from(wrapped.wrapped, 'base64url')).toHaveLength(256);
    expect(Buffer.from(unwrapped).equals(Buffer.from(dataKey))).toBe(true);
  });

  it('when the process restarts, then the key file created on first run still unwraps', async () => {
    const dataKey = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await new LocalFileKeyWrapper(keyFile).wrapKey(dataKey);

    const unwrapped = await new LocalFileKeyWrapper(keyFile).unwrapKey(wrapped);

    expect(Buffer.from(unwrapped).equals(Buffer.from(dataKey))).toBe(true);
    expect(JSON.parse(await readFile(keyFile, 'utf8')).versions).toHaveLength(1);
  });

  it('when a different key tries to unwrap, then it fails loudly with key-unwrap-failed', async () => {
    const wrapped = await new LocalFileKeyWrapper(keyFile).wrapKey(new Uint8Array(32).fill(7));
    const otherKey = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'other-key-')), 'k.json'));

    await expect(otherKey.unwrapKey(wrapped)).rejects.toMatchObject({ code: 'key-unwrap-failed' });
  });

  it('when the wrapped bytes are tampered with, then unwrapping fails with key-unwrap-failed', async () => {
    const wrapper = new LocalFileKeyWrapper(keyFile);
    const wrapped = await wrapper.wrapKey(new Uint8Array(32).fill(7));
    const bytes = Buffer.from(wrapped.wrapped, 'base64url');
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;

    await expect(
      wrapper.unwrapKey({ ...wrapped, wrapped: bytes.toString('base64url') }),
    ).rejects.toMatchObject({
      code: 'key-unwrap-failed',
    });
  });

  it('when the key is rotated, then new keys use the new version and old wrapped keys still unwrap', async () => {
    const wrapper = new LocalFileKeyWrapper(keyFile);
    const oldKey = new Uint8Array(32).fill(1);
    const wrappedBefore = await wrapper.wrapKey(oldKey);

    const newKeyId = await wrapper.rotate();
    const wrappedAfter = await wrapper.wrapKey(new Uint8Array(32).fill(2));

    expect(wrappedAfter.keyId).toBe(newKeyId);
    expect(wrappedAfter.keyId).not.toBe(wrappedBefore.keyId);
    expect(Buffer.from(await wrapper.unwrapKey(wrappedBefore)).equals(Buffer.from(oldKey))).toBe(true);
  });
});
