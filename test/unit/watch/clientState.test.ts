import { describe, expect, it } from 'vitest';
import { ClientStateSigner } from '../../../shared/watch/clientState.js';

const tenantId = '8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f';
const userId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
const signer = new ClientStateSigner(Buffer.alloc(32, 1));

describe('ClientStateSigner', () => {
  it('when a clientState is made for a user, then it verifies for that tenant and names the user', () => {
    const clientState = signer.create(tenantId, userId);

    expect(signer.verify(clientState, tenantId)).toBe(userId);
    expect(signer.verify(clientState, tenantId.toUpperCase())).toBe(userId);
    expect(clientState.length).toBeLessThanOrEqual(128);
  });

  it('when two are made for the same user, then they differ (a fresh nonce each)', () => {
    expect(signer.create(tenantId, userId)).not.toBe(signer.create(tenantId, userId));
  });

  it('when the tenant, the user, the nonce or the MAC is changed, then it does not verify', () => {
    const [prefix, user, nonce, mac] = signer.create(tenantId, userId).split('.');
    const otherUser = '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02';

    expect(signer.verify(`${prefix}.${user}.${nonce}.${mac}`, 'another-tenant')).toBeUndefined();
    expect(signer.verify(`${prefix}.${otherUser}.${nonce}.${mac}`, tenantId)).toBeUndefined();
    expect(signer.verify(`${prefix}.${user}.AAAA${nonce?.slice(4)}.${mac}`, tenantId)).toBeUndefined();
    expect(signer.verify(`${prefix}.${user}.${nonce}.${mac?.slice(0, -2)}AA`, tenantId)).toBeUndefined();
  });

  it('when the secret differs, then nothing made with the other secret verifies', () => {
    const other = new ClientStateSigner(Buffer.alloc(32, 2));

    expect(other.verify(signer.create(tenantId, userId), tenantId)).toBeUndefined();
  });

  it('when given garbage, then it answers undefined without throwing', () => {
    for (const garbage of [undefined, null, '', 'v1', 'v1...', 'v2.a.b.c', 'x'.repeat(500), 'v1.a.b.c.d']) {
      expect(signer.verify(garbage, tenantId)).toBeUndefined();
    }
  });

  it('when the secret is shorter than 32 bytes, then the signer refuses it', () => {
    expect(() => new ClientStateSigner(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
