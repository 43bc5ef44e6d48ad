// The denoising vector field toy: the hand-written backprop matches finite differences, and a
// denoising MLP trained on a noisy spiral learns a field that points back to the data near it
// (and not far from it).
import { describe, expect, it } from 'vitest';
import { curvePoints, fieldGrid, fieldStats, Mlp, noisyBatch, ToyRng } from '../../../src-renderer/lib/lab/field-mlp.js';

describe('Mlp', () => {
  it('has gradients that match finite differences', () => {
    const net = new Mlp(6, 3);
    const rng = new ToyRng(4);
    const inputs = Float32Array.from({ length: 10 }, () => rng.normal());
    const targets = Float32Array.from({ length: 10 }, () => rng.normal());
    const loss = (): number => {
      let s = 0;
      for (let i = 0; i < 5; i++) {
        const [ox, oy] = net.forward(inputs[2 * i]!, inputs[2 * i + 1]!);
        s += (ox - targets[2 * i]!) ** 2 + (oy - targets[2 * i + 1]!) ** 2;
      }
      return s / 5 / 2;
    };
    const before = Float64Array.from(net.p);
    net.step(inputs, targets, 0); // lr 0: computes the gradient, moves nothing
    const g = Float64Array.from(net.gradient());
    expect(Array.from(net.p)).toEqual(Array.from(before));
    for (const i of [0, 5, 13, 20, 40, net.p.length - 1]) {
      const eps = 1e-5;
      const keep = net.p[i]!;
      net.p[i] = keep + eps;
      const up = loss();
      net.p[i] = keep - eps;
      const down = loss();
      net.p[i] = keep;
      expect(g[i]!).toBeCloseTo((up - down) / (2 * eps), 6);
    }
  });

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
