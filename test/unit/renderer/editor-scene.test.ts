import { describe, expect, it } from 'vitest';
import { blendLayers, COMPARE_MODES, nextCompareMode } from '../../../src-renderer/lib/canvas/scene.js';

const input = { id: 'input' } as unknown as ImageBitmap;
const result = { id: 'result' } as unknown as ImageBitmap;

describe('viewer scene', () => {
  it('strength draws the input, then the result at that opacity (a linear blend)', () => {
    expect(blendLayers(input, result, 0.3)).toEqual([
      { bitmap: input, alpha: 1 },
      { bitmap: result, alpha: 0.3 },
    ]);
    // out = input * (1 - s) + result * s: source-over of an opaque result at alpha s
    const s = 0.3, a = 40, b = 200;
    expect(a * (1 - s) + b * s).toBeCloseTo(a + s * (b - a));
  });

  it('full and zero strength draw one image; a missing input shows the result alone', () => {
    expect(blendLayers(input, result, 1)).toEqual([{ bitmap: result, alpha: 1 }]);
    expect(blendLayers(input, result, 0)).toEqual([{ bitmap: input, alpha: 1 }]);
    expect(blendLayers(undefined, result, 0.5)).toEqual([{ bitmap: result, alpha: 1 }]);
    expect(blendLayers(input, undefined, 0.5)).toEqual([{ bitmap: input, alpha: 1 }]);
  });

  it('Y cycles through every compare mode and back', () => {
    let m = COMPARE_MODES[0]!.id;
    const seen = new Set([m]);
    for (let i = 0; i < COMPARE_MODES.length; i++) {
      m = nextCompareMode(m);
      seen.add(m);
    }
    expect(seen.size).toBe(COMPARE_MODES.length);
    expect(m).toBe(COMPARE_MODES[0]!.id);
  });
});
