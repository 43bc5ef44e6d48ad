// The denoising vector field toy: the hand-written backprop matches finite differences. The
// training run (the learned field points back to the data) is in
// test/integration/training/field-mlp.test.ts.
import { describe, expect, it } from 'vitest';
import { Mlp, ToyRng } from '../../../src-renderer/lib/lab/field-mlp.js';

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
});
