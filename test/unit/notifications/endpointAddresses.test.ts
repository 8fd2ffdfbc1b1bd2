import { describe, expect, it } from 'vitest';
import { cloudEventEndpointsInputSchema } from '../../../shared/notifications/cloudEventEndpoints.js';
import { internalHostReason, isInternalAddress } from '../../../shared/notifications/endpointAddresses.js';

describe('internal addresses (where a tenant webhook may not point)', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '::',
    'fd00::1',
    'fc00::abcd',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '[::1]',
    '64:ff9b::a9fe:a9fe',
    'ff02::1',
  ])('when the address is %s, then it is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    'hooks.example',
  ])('when the address is %s, then it is not internal', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });

  it('when a URL host is localhost or an internal literal, then it has a reason; a public name has none', () => {
    expect(internalHostReason('localhost')).toMatch(/localhost/);
    expect(internalHostReason('Api.LocalHost.')).toMatch(/localhost/);
    expect(internalHostReason('[fd12::1]')).toMatch(/private/);
    expect(internalHostReason('169.254.169.254')).toMatch(/metadata/);
    expect(internalHostReason('hooks.example')).toBeUndefined();
  });
});

describe('the CloudEvents endpoints input', () => {
  it('when a URL is not a URL, then it is refused with the schema’s reason (the address check does not throw)', () => {
    const parsed = cloudEventEndpointsInputSchema.safeParse({ endpoints: [{ url: 'not a url' }] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('https://');
  });

  it('when a URL points at a private address, then it is refused with the reason', () => {
    const parsed = cloudEventEndpointsInputSchema.safeParse({
      endpoints: [{ url: 'https://10.0.0.5/hook' }],
    });
    expect(JSON.stringify(parsed.error?.issues)).toContain('private');
  });
});
