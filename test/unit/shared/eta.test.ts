import { describe, expect, it } from 'vitest';
import { estimateEta, EtaEstimator } from '../../../src-main/shared/eta.js';

describe('estimateEta', () => {
  it('is proportional to the remaining work', () => {
    expect(estimateEta(10, 25, 100)).toBeCloseTo(30);
    expect(estimateEta(10, 100, 100)).toBe(0);
  });
  it('says nothing while start-up dominates or nothing is known', () => {
    expect(estimateEta(10, 1, 100)).toBeUndefined(); // 1% of the work
    expect(estimateEta(0.5, 50, 100)).toBeUndefined(); // half a second
    expect(estimateEta(10, 0, 100)).toBeUndefined();
    expect(estimateEta(10, 5, 0)).toBeUndefined();
  });
});

describe('EtaEstimator', () => {
  it('extrapolates the time per unit of work to the work left, from its own clock', () => {
    let ms = 1000;
    const eta = new EtaEstimator(100, () => ms);
    expect(eta.secondsLeft(0)).toBeUndefined();
    ms += 2000;
    // 25 units took 2 s, so 75 more take 6 s.
    expect(eta.secondsLeft(25)).toBeCloseTo(6);
    expect(eta.elapsedSeconds()).toBeCloseTo(2);
    expect(eta.secondsLeft(100)).toBe(0);
  });
});
