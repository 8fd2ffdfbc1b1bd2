import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { checkHealth } from '../../../shared/health/checkHealth.js';

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
