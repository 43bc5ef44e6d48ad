// Weights trained in PyTorch (scripts/train_torch.py) into Mend models. The fixture holds tiny
// networks made by that script's own classes with random weights, an input and PyTorch's output
// (test/fixtures/make-torch-export.py); the imported model must reproduce that output in
// TensorFlow.js and through its ONNX export, which needs every layer name, channel order
// (space-to-depth) and padding of the two definitions to agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchSpec } from '../../../src-main/core/models/architectures.js';
import { exportOnnx } from '../../../src-main/core/models/onnx-export.js';
import { modelFromExport, type ExportedConv, type WeightsExport } from '../../../src-main/core/models/import-weights.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { closeOnnxPool, onnxPool } from '../../../src-main/core/runtime/onnx-runtime.js';

interface Case {
  arch: ArchSpec;
  layers: ExportedConv[];
  height: number;
  width: number;
  image: number[];
  noiseLevel: number;
  output: number[];
}

const cases = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/torch-export.json'), 'utf8')) as Case[];

const asExport = (c: Case, layers = c.layers): WeightsExport =>
  ({ arch: c.arch, layers } as unknown as WeightsExport);

/** HWC input: the image plane and the constant noise-level plane. */
function input(c: Case): Float32Array {
  const x = new Float32Array(c.height * c.width * 2);
  c.image.forEach((v, i) => {
    x[2 * i] = v;
    x[2 * i + 1] = c.noiseLevel;
  });
  return x;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await closeOnnxPool();
});

describe('modelFromExport', () => {
  it('covers both trainable kinds', () => {
    expect(cases.map((c) => c.arch.kind).sort()).toEqual(['residual', 'unet']);
  });

  for (const c of cases) {
    it(`${c.arch.kind}: gives PyTorch's output in TensorFlow.js and ONNX Runtime`, async () => {
      const model = modelFromExport(asExport(c));
      const x = input(c);
      const tfjsOut = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, c.height, c.width, 2])) as tf.Tensor).dataSync());
      // The outputs span about +-10 (random weights, no training): 1e-4 is float32 rounding.
      expect(Math.max(...c.output.map(Math.abs))).toBeGreaterThan(0.5);
      expect(maxDiff(tfjsOut, c.output)).toBeLessThan(1e-4);
      const handle = await onnxPool().load(exportOnnx(model));
      expect(maxDiff(await handle.run(x.slice(), [1, c.height, c.width, 2]), c.output)).toBeLessThan(1e-4);
    });
  }

  it('refuses weights whose shapes differ from the architecture', () => {
    const c = cases[0]!;
    const wider = { ...c.arch, width: (c.arch as { width: number }).width + 1 } as ArchSpec;
    expect(() => modelFromExport({ ...asExport(c), arch: wider })).toThrow(/convolution "c0" is \[3,3,2,5\] in the weights, \[3,3,2,6\] in the model/);
  });

  it('refuses weights that miss a convolution or have one too many', () => {
    const c = cases[0]!;
    expect(() => modelFromExport(asExport(c, c.layers.filter((l) => l.name !== 'code')))).toThrow(/no convolution "code"/);
    const extra = [...c.layers, { ...c.layers[0]!, name: 'e9_9' }];
    expect(() => modelFromExport(asExport(c, extra))).toThrow(/convolutions the model lacks: e9_9/);
  });

  it('refuses truncated weight data', () => {
    const c = cases[0]!;
    const short = c.layers.map((l, i) => (i === 0 ? { ...l, bias: Buffer.from(new Float32Array(2).buffer).toString('base64') } : l));
    expect(() => modelFromExport(asExport(c, short))).toThrow(/c0 bias: 2 values, expected 5/);
  });
});
