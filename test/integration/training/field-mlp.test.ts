// The denoising vector field toy trained (a few seconds of training, so not a unit test): a
// denoising MLP trained on a noisy circle and spiral learns a field that points back to the data
// near it (and not far from it). Its backprop is checked in test/unit/renderer/field-mlp.test.ts.
import { describe, expect, it } from 'vitest';
import { curvePoints, fieldGrid, fieldStats, Mlp, noisyBatch, ToyRng } from '../../../src-renderer/lib/lab/field-mlp.js';

describe('Mlp training', () => {
  it('learns a denoising field that points back to the data near it', () => {
    const sigma = 0.1;
    for (const [kind, steps] of [['circle', 1500], ['spiral', 3000]] as const) {
      const data = curvePoints(kind, 400, 1);
      const net = new Mlp(kind === 'circle' ? 32 : 64, 2);
      const rng = new ToyRng(5);
      const inputs = new Float32Array(2 * 64);
      const targets = new Float32Array(2 * 64);
      let first = 0;
      let last = 0;
      for (let s = 0; s < steps; s++) {
        noisyBatch(data, 64, sigma, rng, inputs, targets);
        const l = net.step(inputs, targets, 0.005);
        if (s < 50) first += l / 50;
        if (s >= steps - 50) last += l / 50;
      }
      expect(last).toBeLessThan(0.5 * first);
      const stats = fieldStats(fieldGrid(net, 32, 1.6), data, [0.5 * sigma, 2 * sigma], 5 * sigma);
      console.log(kind, JSON.stringify(stats));
      expect(stats.nearCount).toBeGreaterThan(20);
      // Near the data the arrows point at it and about reach it (r(x) - x ~ nearest - x).
      expect(stats.nearAlignment).toBeGreaterThan(0.85);
      expect(stats.nearReach).toBeGreaterThan(0.6);
      expect(stats.nearReach).toBeLessThan(1.4);
      expect(stats.farCount).toBeGreaterThan(100);
    }
  });
});
