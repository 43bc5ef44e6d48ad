// Channel pruning (core/models/prune.ts): the narrow model must compute exactly what the wide one
// computes with the dropped channels switched off, and the importance score must drop channels
// the next layer never reads.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ResidualSpec } from '../../../src-main/core/models/architectures.js';
import { MendConv } from '../../../src-main/core/models/layers.js';
import { channelImportance, pruneResidual, topChannels } from '../../../src-main/core/models/prune.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const wideSpec: ResidualSpec = { kind: 'residual', channels: 3, width: 8, depth: 5, codeActivation: 'relu', conditioning: 'noise-map' };
const convs = (m: tf.LayersModel): MendConv[] => m.layers.filter((l): l is MendConv => l instanceof MendConv);

/** A wide model with random weights and biases (biases start at zero in a fresh model). */
function randomWide(seed: number): tf.LayersModel {
  const model = buildModel(wideSpec);
  const rng = new Rng(seed);
  for (const conv of convs(model)) {
    conv.setWeights(conv.getWeights().map((w) => tf.tensor(Float32Array.from(w.dataSync(), () => 0.4 * (rng.next() - 0.5)), w.shape)));
  }
  return model;
}

function randomInput(seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: 12 * 10 * 4 }, () => rng.next()), [1, 12, 10, 4]);
}

describe('pruneResidual', () => {
  it('equals the wide model with the dropped channels unread, to float precision', () => {
    const wide = randomWide(1);
    const keep = [[0, 2, 3, 5, 7], [1, 2, 4, 6, 7], [0, 1, 2, 3, 4], [3, 4, 5, 6, 7]];
    const narrow = pruneResidual(wide, { ...wideSpec, width: 5 }, keep);
    // Reference: the wide model whose layers ignore the dropped channels of the layer before.
    convs(wide).forEach((conv, l) => {
      if (l === 0) return;
      const [kernel, bias] = conv.getWeights();
      const [k, , cin, cout] = kernel!.shape as number[];
      const w = kernel!.dataSync().slice();
      for (let i = 0; i < k! * k!; i++) for (let c = 0; c < cin!; c++) if (!keep[l - 1]!.includes(c)) for (let o = 0; o < cout!; o++) w[(i * cin! + c) * cout! + o] = 0;
      conv.setWeights([tf.tensor4d(w, kernel!.shape as [number, number, number, number]), bias!]);
    });
    const x = randomInput(2);
    const a = (narrow.predict(x) as tf.Tensor).dataSync<'float32'>();
    const b = (wide.predict(x) as tf.Tensor).dataSync<'float32'>();
    expect(a.length).toBe(12 * 10 * 3);
    const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    expect(worst).toBeLessThan(1e-5);
    // And the dropped channels did matter before they were switched off.
    const original = (randomWide(1).predict(x) as tf.Tensor).dataSync<'float32'>();
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - original[i]!)), 0)).toBeGreaterThan(1e-3);
    expect(narrow.countParams()).toBeLessThan(wide.countParams());
  });

  it('refuses keep lists that do not match the narrow width or the depth', () => {
    const wide = randomWide(3);
    expect(() => pruneResidual(wide, { ...wideSpec, width: 5 }, [[0, 1, 2, 3, 4]])).toThrow(/5 channels for each of 4 hidden layers/);
    expect(() => pruneResidual(wide, { ...wideSpec, width: 5 }, Array.from({ length: 4 }, () => [0, 1, 2]))).toThrow(/5 channels/);
  });
});

describe('channelImportance', () => {
  it('scores a channel the next layer never reads at zero, and topChannels drops it', () => {
    const wide = randomWide(4);
    const next = convs(wide)[2]!; // reads hidden layer 1
    const [kernel, bias] = next.getWeights();
    const w = kernel!.dataSync().slice();
    const [k, , cin, cout] = kernel!.shape as number[];
    for (let i = 0; i < k! * k!; i++) for (let o = 0; o < cout!; o++) w[(i * cin! + 6) * cout! + o] = 0;
    next.setWeights([tf.tensor4d(w, kernel!.shape as [number, number, number, number]), bias!]);
    const scores = channelImportance(wide, [randomInput(5), randomInput(6)]);
    expect(scores).toHaveLength(4);
    expect(scores[1]![6]).toBe(0);
    expect(scores.every((s) => s.every((v) => v >= 0))).toBe(true);
    const keep = topChannels(scores, 7);
    expect(keep[1]).not.toContain(6);
    expect(keep.every((k) => k.length === 7 && k.every((c, i) => i === 0 || c > k[i - 1]!))).toBe(true);
  });
});
