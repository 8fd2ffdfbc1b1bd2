import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { toKeyVaultError } from '../../../shared/adapters/keyVault/keyVaultKeyWrapper.js';

// Key Vault has no local peer; the adapter stays thin and its error mapping is pinned here with the
// SDK's own error type.
describe('toKeyVaultError', () => {
  it('when Key Vault throttles, then the error is transient', () => {
    expect(toKeyVaultError(new RestError('slow down', { statusCode: 429 }), 'wrap key')).toMatchObject({
      code: 'throttled',
      transient: true,
    });
  });

  it('when Key Vault refuses the bytes or the key version, then unwrapping failed for good', () => {
    for (const statusCode of [400, 403, 404]) {
      expect(toKeyVaultError(new RestError('no', { statusCode }), 'unwrap key')).toMatchObject({
        code: 'key-unwrap-failed',
        transient: false,
      });
    }
  });

  it('when Key Vault is unreachable, then the error is transient', () => {
    expect(toKeyVaultError(new RestError('down', { statusCode: 503 }), 'unwrap key').code).toBe(
      'dependency-unavailable',
    );
    expect(toKeyVaultError(new Error('ECONNRESET'), 'unwrap key').code).toBe('dependency-unavailable');
  });
});
