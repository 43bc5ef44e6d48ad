// TensorFlow.js -> ONNX export: every architecture and conditioning (random weights and biases),
// the stock layers the exporter also maps, the shipped models, and model.onnx in model folders.
// Outputs are compared through the real ONNX Runtime path (worker pool) within 1e-4.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, sizeMultiple, type ArchSpec, type Conditioning } from '../../../src-main/core/models/architectures.js';
import type { ModelCard } from '../../../src-main/core/models/card.js';
import { MendConv } from '../../../src-main/core/models/layers.js';
import { exportOnnx } from '../../../src-main/core/models/onnx-export.js';
import { readRegistry, shippedModelsDir } from '../../../src-main/core/models/registry.js';
import { loadModelFolder, modelToOnnx, ONNX_FILE, saveModelFolder } from '../../../src-main/core/models/store.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { closeOnnxPool, onnxPool } from '../../../src-main/core/runtime/onnx-runtime.js';

let tmp: string;

beforeAll(async () => {
  await initBackend('wasm');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mend-onnx-'));
});

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await closeOnnxPool();
});

/** Replaces every weight (biases included: they start at zero) by uniform noise. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w) => {
      const fanIn = w.shape.length === 4 ? w.shape[0]! * w.shape[1]! * w.shape[2]! : 16;
      const v = new Float32Array(w.size);
      for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1) * Math.sqrt(3 / fanIn);
      return tf.tensor(v, w.shape);
    }));
  }
}

function randomInput(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(0, 1);
  return a;
}

/** Max |tfjs - onnx| over the output of a [1, h, w, cin] input. */
async function maxDifference(model: tf.LayersModel, bytes: Uint8Array, h: number, w: number, seed = 3): Promise<{ diff: number; scale: number }> {
  const cin = model.inputs[0]!.shape[3] as number;
  const input = randomInput(h * w * cin, seed);
  const expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [1, h, w, cin])) as tf.Tensor).dataSync() as Float32Array);
  const handle = await onnxPool().load(bytes);
  const got = await handle.run(input.slice(), [1, h, w, cin]);
  expect(got.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return { diff, scale };
}

const CONDITIONINGS: Conditioning[] = ['none', 'noise-map', 'mask'];

function specs(channels: number, conditioning: Conditioning): ArchSpec[] {
  return [
    { kind: 'autoencoder', channels, width: 6, levels: 2, codeChannels: 5, codeActivation: 'sigmoid', conditioning },
    { kind: 'residual', channels, width: 8, depth: 5, codeActivation: 'linear', conditioning },
    { kind: 'unet', channels, width: 6, levels: 3, blocks: 1, codeActivation: 'relu', conditioning },
  ];
}

describe('exportOnnx', () => {
  const cases = CONDITIONINGS.flatMap((c) => [...specs(3, c), ...specs(1, c)]);
  it.each(cases.map((s) => [`${s.kind} ${s.channels}ch ${s.conditioning} code=${s.codeActivation}`, s] as const))(
    '%s: ONNX Runtime matches TensorFlow.js within 1e-4',
    async (_name, spec) => {
      const model = buildModel(spec);
      randomizeWeights(model, 11);
      const m = sizeMultiple(spec);
      // Not square, several blocks of the size multiple, small enough to be quick.
      const { diff, scale } = await maxDifference(model, exportOnnx(model), 3 * m * (m === 1 ? 8 : 1), 5 * m * (m === 1 ? 4 : 1));
      expect(scale).toBeGreaterThan(0.05); // the comparison is not between two near-zero outputs
      expect(diff).toBeLessThan(1e-4);
      model.dispose();
    },
  );

  it('maps the stock Concatenate, Add and Activation layers', async () => {
    const input = tf.input({ shape: [null, null, 2] });
    const a = new MendConv({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const b = new MendConv({ filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ axis: -1 }).apply([a, b, input]) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b, tf.layers.activation({ activation: 'sigmoid' }).apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const c = new MendConv({ filters: 2, kernelSize: 5 }).apply(tf.layers.concatenate().apply([cat, sum]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'tanh' }).apply(c) as tf.SymbolicTensor });
    randomizeWeights(model, 5);
    const { diff } = await maxDifference(model, exportOnnx(model), 9, 7);
    expect(diff).toBeLessThan(1e-4);
  });

  it('refuses a layer it does not know, naming it', () => {
    const input = tf.input({ shape: [null, null, 1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(input) as tf.SymbolicTensor });
    expect(() => exportOnnx(model)).toThrow(expect.objectContaining({ code: 'model', message: expect.stringMatching(/pool.*MaxPooling2D/) }));
  });

  it('is deterministic: the same weights give the same bytes', () => {
    const spec = specs(1, 'noise-map')[1]!;
    const model = buildModel(spec);
    expect(Buffer.from(exportOnnx(model)).equals(Buffer.from(exportOnnx(model)))).toBe(true);
  });
});

describe('shipped models', () => {
  for (const { id, path: rel } of readRegistry().models) {
    it(`${id}: model.onnx is committed, current, and matches TensorFlow.js within 1e-4`, async () => {
      const dir = path.join(shippedModelsDir(), rel);
      const committed = readFileSync(path.join(dir, ONNX_FILE));
      const loaded = await loadModelFolder(dir);
      expect(Buffer.from(loaded.onnx!).equals(committed)).toBe(true);
      const { diff, scale } = await maxDifference(loaded.model, loaded.onnx!, 40, 56);
      expect(scale).toBeGreaterThan(0.1);
      expect(diff).toBeLessThan(1e-4);
    });
  }
});

describe('model.onnx in model folders', () => {
  const spec: ArchSpec = { kind: 'unet', channels: 3, width: 4, levels: 2, blocks: 1, codeActivation: 'relu', conditioning: 'mask' };
  const card: ModelCard = { id: 'mine', name: 'Mine', description: 'test', task: 'inpaint', channels: 3, arch: spec, created: '2026-01-01T00:00:00Z' };

  it('is written when a model is saved', async () => {
    const dir = path.join(tmp, 'saved');
    const model = buildModel(spec);
    await saveModelFolder(dir, model, card);
    expect(Buffer.from(readFileSync(path.join(dir, ONNX_FILE))).equals(Buffer.from(modelToOnnx(model, card)))).toBe(true);
  });

  it('is created on load for a folder without one, and rewritten when stale', async () => {
    const src = path.join(shippedModelsDir(), 'gray-denoise');
    const dir = path.join(tmp, 'no-onnx');
    mkdirSync(dir);
    for (const f of ['model.json', 'weights.bin', 'card.json']) copyFileSync(path.join(src, f), path.join(dir, f));
    expect(existsSync(path.join(dir, ONNX_FILE))).toBe(false);
    const loaded = await loadModelFolder(dir);
    expect(Buffer.from(readFileSync(path.join(dir, ONNX_FILE))).equals(Buffer.from(loaded.onnx!))).toBe(true);
    // Stale (from other weights): replaced by the export of the weights in the folder.
    copyFileSync(path.join(shippedModelsDir(), 'color-denoise', ONNX_FILE), path.join(dir, ONNX_FILE));
    await loadModelFolder(dir);
    expect(Buffer.from(readFileSync(path.join(dir, ONNX_FILE))).equals(Buffer.from(loaded.onnx!))).toBe(true);
  });
});
