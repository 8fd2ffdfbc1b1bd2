import { describe, expect, it } from 'vitest';
import type { GraphTokenProvider } from '../../../shared/calendar/tokenProvider.js';
import { AppError } from '../../../shared/errors.js';
import { checkHealth } from '../../../shared/health/checkHealth.js';
import { graphTokenProbe, noTenantYet } from '../../../shared/health/dependencyProbes.js';

describe('checkHealth', () => {
  it('when every probe succeeds, then the report is up', async () => {
    const report = await checkHealth([
      { name: 'store', check: async () => undefined },
      { name: 'bus', check: async () => undefined },
    ]);

    expect(report.status).toBe('up');
    expect(Object.keys(report.components)).toEqual(['store', 'bus']);
  });

  it('when one probe fails or hangs, then the report is down and names why, the rest still up', async () => {
    const report = await checkHealth(
      [
        { name: 'store', check: async () => undefined },
        {
          name: 'bus',
          check: () => Promise.reject(new AppError('dependency-unavailable', 'peek: Service Bus failed')),
        },
        { name: 'keyWrapping', check: () => new Promise(() => undefined) },
        { name: 'other', check: () => Promise.reject(new Error('password=hunter2')) },
      ],
      50,
    );

    expect(report.status).toBe('down');
    expect(report.components.store?.status).toBe('up');
    expect(report.components.bus).toMatchObject({
      status: 'down',
      reason: 'dependency-unavailable: peek: Service Bus failed',
    });
    expect(report.components.keyWrapping).toMatchObject({ status: 'down', reason: 'no answer within 50 ms' });
    expect(report.components.other).toMatchObject({ status: 'down', reason: 'unexpected error' });
  });
});

describe('graphTokenProbe', () => {
  const tenantId = '8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f';

  function buildTokens(fail?: AppError) {
    const asked: string[] = [];
    const tokens: GraphTokenProvider = {
      async appToken(tenant) {
        asked.push(tenant);
        if (fail) throw fail;
        return 'token';
      },
    };
    return { tokens, asked };
  }

  it('when no tenant is consented yet, then Graph is up with that reason and no token is asked for', async () => {
    const { tokens, asked } = buildTokens();

    const report = await checkHealth([
      graphTokenProbe({ anyConsentedTenant: async () => undefined }, tokens),
    ]);

    expect(report.status).toBe('up');
    expect(report.components.graph).toMatchObject({ status: 'up', reason: noTenantYet });
    expect(asked).toEqual([]);
  });

  it('when a tenant is known, then an app token for it is taken and Graph is up without a reason', async () => {
    const { tokens, asked } = buildTokens();

    const report = await checkHealth([graphTokenProbe({ anyConsentedTenant: async () => tenantId }, tokens)]);

    expect(report.components.graph).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    expect(asked).toEqual([tenantId]);
  });

  it('when the token cannot be had, then Graph is down with the error code', async () => {
    const { tokens } = buildTokens(new AppError('unauthorized', 'Graph app token: refused (invalid_client)'));

    const report = await checkHealth([graphTokenProbe({ anyConsentedTenant: async () => tenantId }, tokens)]);

    expect(report.status).toBe('down');
    expect(report.components.graph).toMatchObject({
      status: 'down',
      reason: 'unauthorized: Graph app token: refused (invalid_client)',
    });
  });
});
