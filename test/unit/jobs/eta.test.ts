import { describe, expect, it } from 'vitest';
import { EtaEstimator } from '../../../src-main/core/jobs/eta.js';
import { throwIfCancelled } from '../../../src-main/core/jobs/cancel.js';

describe('EtaEstimator', () => {
  it('extrapolates the time per unit of work to the work left', async () => {
    const eta = new EtaEstimator(100);
    expect(eta.secondsLeft(0)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    const left = eta.secondsLeft(25)!;
    // 25 units took ~0.2 s, so 75 more take ~0.6 s.
    expect(left).toBeGreaterThan(0.5);
    expect(left).toBeLessThan(0.9);
    expect(eta.secondsLeft(100)).toBe(0);
  });

  it('throwIfCancelled throws a cancelled error only once aborted', () => {
    const c = new AbortController();
    expect(() => throwIfCancelled(c.signal)).not.toThrow();
    c.abort();
    expect(() => throwIfCancelled(c.signal)).toThrow(expect.objectContaining({ code: 'cancelled' }));
  });
});
