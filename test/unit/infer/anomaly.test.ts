import { describe, expect, it } from 'vitest';
import { growMask, heatmap } from '../../../src-main/core/infer/anomaly.js';

describe('anomaly helpers', () => {
  it('growMask dilates by a square of the given radius and clips at the borders', () => {
    const m = new Uint8Array(7 * 5);
    m[2 * 7 + 3] = 1;
    m[0] = 1;
    const g = growMask(m, 7, 5, 1);
    const on: string[] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) if (g[y * 7 + x]) on.push(`${x},${y}`);
    expect(on.sort()).toEqual(['0,0', '0,1', '1,0', '1,1', '2,1', '2,2', '2,3', '3,1', '3,2', '3,3', '4,1', '4,2', '4,3'].sort());
    expect(growMask(m, 7, 5, 0)).toBe(m);
  });

  it('heatmap is black at zero error and pure red at the cut-off', () => {
    const h = heatmap(new Float32Array([0, 0.1, 0.3]), 3, 1, 0.1);
    expect(Array.from(h.data.slice(0, 3))).toEqual([0, 0, 0]);
    // Float32 error / cutoff is 1 within rounding.
    expect(h.data[3]).toBeCloseTo(1, 5);
    expect(h.data[4]).toBeCloseTo(0, 5);
    expect(h.data[5]).toBe(0);
    expect(h.data[6]).toBe(1);
    expect(h.data[8]).toBeCloseTo(1, 5);
  });
});
