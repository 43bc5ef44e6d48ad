// The model zoo: shapes, the 'code' layer, FLOP counts, the pixel (un)shuffle layers, residual
// initialisation near the identity, and the model folder round trip (save -> load).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildModel,
  flopsPerPixel,
  inputChannels,
  sizeMultiple,
  type ArchSpec,
  type Conditioning,
} from '../../../src-main/core/models/architectures.js';
import type { ModelCard } from '../../../src-main/core/models/card.js';
import { PixelShuffle, PixelUnshuffle } from '../../../src-main/core/models/layers.js';
import { loadModelFolder, saveModelFolder } from '../../../src-main/core/models/store.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

let tmp: string;

beforeAll(async () => {
  await initBackend('wasm');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mend-arch-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const CONDITIONINGS: Conditioning[] = ['none', 'noise-map', 'mask'];

function specs(channels: number, conditioning: Conditioning): ArchSpec[] {
  return [
    { kind: 'autoencoder', channels, width: 4, levels: 2, codeChannels: 6, codeActivation: 'relu', conditioning },
    { kind: 'residual', channels, width: 4, depth: 4, codeActivation: 'relu', conditioning },
    { kind: 'unet', channels, width: 4, levels: 2, blocks: 1, codeActivation: 'sigmoid', conditioning },
  ];
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next();
  return tf.tensor(v, shape);
}

/** The output of the layer named 'code' for an input. */
function codeOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const encoder = tf.model({ inputs: model.inputs, outputs: model.getLayer('code').output as tf.SymbolicTensor });
  return encoder.predict(x) as tf.Tensor;
}

describe('buildModel', () => {
  for (const channels of [1, 3]) {
    for (const conditioning of CONDITIONINGS) {
      for (const spec of specs(channels, conditioning)) {
        it(`${spec.kind}, ${channels} ch, conditioning ${conditioning}: shapes, input planes and code layer`, () => {
          const model = buildModel(spec);
          const cin = channels + (conditioning === 'none' ? 0 : 1);
          expect(inputChannels(spec)).toBe(cin);
          expect(model.inputs[0].shape).toEqual([null, null, null, cin]);
          const m = sizeMultiple(spec);
          expect(m).toBe(spec.kind === 'residual' ? 1 : 4);
          const code = model.getLayer('code');
          expect(code).toBeDefined();
          // Non-square, and two different multiples, so H and W are not mixed up.
          for (const [h, w] of [
            [2 * m, 3 * m],
            [4 * m, m],
          ]) {
            tf.tidy(() => {
              const x = randomTensor([1, h, w, cin], h * 100 + w);
              const y = model.predict(x) as tf.Tensor;
              expect(y.shape).toEqual([1, h, w, channels]);
              const values = y.dataSync();
              expect(values.every(Number.isFinite)).toBe(true);
              const c = codeOf(model, x);
              if (spec.kind === 'autoencoder') {
                expect(c.shape).toEqual([1, h / 2 ** spec.levels, w / 2 ** spec.levels, spec.codeChannels]);
              } else if (spec.kind === 'residual') {
                expect(c.shape).toEqual([1, h, w, spec.width]);
              } else {
                // The U-Net's bottleneck: 2^levels smaller, 2^(levels-1) times the width.
                expect(c.shape).toEqual([1, h / 2 ** spec.levels, w / 2 ** spec.levels, spec.width * 2 ** (spec.levels - 1)]);
              }
            });
          }
          model.dispose();
        });
      }
    }
  }

  it('an autoencoder with 3 levels codes at 1/8 resolution with codeChannels planes', () => {
    const spec: ArchSpec = { kind: 'autoencoder', channels: 1, width: 2, levels: 3, codeChannels: 5, codeActivation: 'linear', conditioning: 'none' };
    expect(sizeMultiple(spec)).toBe(8);
    const model = buildModel(spec);
    tf.tidy(() => {
      const x = randomTensor([1, 16, 24, 1], 5);
      expect((model.predict(x) as tf.Tensor).shape).toEqual([1, 16, 24, 1]);
      expect(codeOf(model, x).shape).toEqual([1, 2, 3, 5]);
    });
    model.dispose();
  });

  it('flopsPerPixel of a residual model is the hand count 2*9*(cin*w + (depth-2)*w*w + w*c)', () => {
    for (const [channels, conditioning, width, depth] of [
      [1, 'noise-map', 8, 5],
      [3, 'none', 6, 4],
      [3, 'mask', 5, 3],
    ] as [number, Conditioning, number, number][]) {
      const spec: ArchSpec = { kind: 'residual', channels, width, depth, codeActivation: 'relu', conditioning };
      const model = buildModel(spec);
      const cin = inputChannels(spec);
      const expected = 2 * 9 * (cin * width + (depth - 2) * width * width + width * channels);
      expect(flopsPerPixel(model)).toBeCloseTo(expected, 6);
      model.dispose();
    }
  });

  it('flopsPerPixel weighs layers at lower resolution by their share of pixels', () => {
    // Autoencoder, 1 level, all at 1/4 of the pixels: unshuffle -> conv(4c -> w), code conv(w -> k),
    // conv(k -> w), conv(w -> 4c), then shuffle.
    const spec: ArchSpec = { kind: 'autoencoder', channels: 1, width: 4, levels: 1, codeChannels: 3, codeActivation: 'relu', conditioning: 'none' };
    const model = buildModel(spec);
    const expected = (2 * 9 * (4 * 4 + 4 * 3 + 3 * 4 + 4 * 4)) / 4;
    expect(flopsPerPixel(model)).toBeCloseTo(expected, 6);
    model.dispose();
  });
});

describe('PixelUnshuffle / PixelShuffle', () => {
  it('unshuffle puts each 2x2 block into channels, and shuffle undoes it exactly', () => {
    const [b, h, w, c] = [2, 6, 10, 3];
    tf.tidy(() => {
      const x = randomTensor([b, h, w, c], 42);
      const down = new PixelUnshuffle().apply(x) as tf.Tensor;
      expect(down.shape).toEqual([b, h / 2, w / 2, 4 * c]);
      const xv = x.arraySync() as number[][][][];
      const dv = down.arraySync() as number[][][][];
      for (let n = 0; n < b; n++)
        for (let i = 0; i < h / 2; i++)
          for (let j = 0; j < w / 2; j++)
            for (let dy = 0; dy < 2; dy++)
              for (let dx = 0; dx < 2; dx++)
                for (let ch = 0; ch < c; ch++) expect(dv[n]![i]![j]![(dy * 2 + dx) * c + ch]).toBe(xv[n]![2 * i + dy]![2 * j + dx]![ch]);
      const back = new PixelShuffle().apply(down) as tf.Tensor;
      expect(back.shape).toEqual([b, h, w, c]);
      expect(tf.max(tf.abs(tf.sub(back, x))).dataSync()[0]).toBe(0);
      expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    });
  });

  it('shuffle then unshuffle is the identity too', () => {
    tf.tidy(() => {
      const x = randomTensor([1, 3, 5, 8], 7);
      const up = new PixelShuffle().apply(x) as tf.Tensor;
      expect(up.shape).toEqual([1, 6, 10, 2]);
      const back = new PixelUnshuffle().apply(up) as tf.Tensor;
      expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    });
  });
});

describe('residual learning at initialisation', () => {
  const cases: ArchSpec[] = [
    { kind: 'residual', channels: 1, width: 16, depth: 6, codeActivation: 'relu', conditioning: 'none' },
    { kind: 'residual', channels: 1, width: 16, depth: 6, codeActivation: 'relu', conditioning: 'noise-map' },
    { kind: 'residual', channels: 1, width: 32, depth: 10, codeActivation: 'relu', conditioning: 'noise-map' },
    { kind: 'unet', channels: 1, width: 16, levels: 2, blocks: 1, codeActivation: 'relu', conditioning: 'noise-map' },
  ];
  for (const spec of cases) {
    const label = spec.kind === 'residual' ? `width ${spec.width}, depth ${spec.depth}` : `width ${spec.width}`;
    it(`a fresh ${spec.kind} model (${label}, ${spec.conditioning}) outputs nearly its input`, () => {
      const img = naturalImage(48, 40, 1, 9);
      const cin = inputChannels(spec);
      const planes = new Float32Array(48 * 40 * cin);
      for (let p = 0; p < 48 * 40; p++) {
        planes[p * cin] = img.data[p]!;
        if (cin > 1) planes[p * cin + 1] = 25 / 255;
      }
      // Initialisation is random: every one of several fresh models must start near the identity.
      for (let t = 0; t < 5; t++) {
        const model = buildModel(spec);
        const diff = tf.tidy(() => {
          const x = tf.tensor4d(planes, [1, 40, 48, cin]);
          const y = model.predict(x) as tf.Tensor;
          return tf.mean(tf.abs(tf.sub(y, tf.tensor4d(img.data, [1, 40, 48, 1])))).dataSync()[0]!;
        });
        model.dispose();
        expect(diff, `init ${t}`).toBeLessThan(0.05);
        // ... but not exactly the input: the noise branch is live.
        expect(diff).toBeGreaterThan(0);
      }
    });
  }
});

describe('saveModelFolder / loadModelFolder', () => {
  for (const spec of [
    { kind: 'unet', channels: 3, width: 4, levels: 2, blocks: 1, codeActivation: 'relu', conditioning: 'noise-map' },
    { kind: 'autoencoder', channels: 1, width: 4, levels: 2, codeChannels: 6, codeActivation: 'sigmoid', conditioning: 'mask' },
    { kind: 'residual', channels: 1, width: 4, depth: 4, codeActivation: 'linear', conditioning: 'none' },
  ] as ArchSpec[]) {
    it(`round-trips a ${spec.kind} model: identical predictions and card`, async () => {
      const model = buildModel(spec);
      const command = `mend train --data /tmp/photos --arch ${spec.kind} --width 4 --steps 10`;
      const card: ModelCard = {
        id: `test-${spec.kind}`,
        name: `Test ${spec.kind}`,
        description: 'A model saved by the unit tests',
        task: spec.kind === 'autoencoder' ? 'inpaint' : 'denoise',
        channels: spec.channels,
        arch: spec,
        sigmaRange: [0, 55],
        flopsPerPixel: flopsPerPixel(model),
        params: model.countParams(),
        training: {
          command,
          data: '/tmp/photos',
          images: 6,
          steps: 10,
          batch: 8,
          patch: 32,
          noise: 'gaussian:0-55',
          wallSeconds: 1.5,
          patchesPerSecond: 53.3,
          backend: 'WebAssembly (tfjs-backend-wasm)',
          finalLoss: 0.01,
          valPsnr: 27.5,
        },
        eval: [{ set: 'synthetic', sigma: 25, images: 3, psnr: 28.1, ssim: 0.8, inputPsnr: 20.2 }],
        created: new Date().toISOString(),
      };
      const dir = path.join(tmp, spec.kind);
      await saveModelFolder(dir, model, card);
      for (const f of ['model.json', 'weights.bin', 'card.json', 'card.md']) expect(existsSync(path.join(dir, f)), f).toBe(true);
      const md = readFileSync(path.join(dir, 'card.md'), 'utf8');
      expect(md).toContain(command);
      expect(md).toContain(card.name);
      // No temporary files are left behind by the atomic writes.
      expect(readdirSync(dir).filter((f) => f.includes('.mend-tmp'))).toEqual([]);
      expect(readFileSync(path.join(dir, 'model.json'), 'utf8')).toContain('MendConv');

      const loaded = await loadModelFolder(dir);
      expect(loaded.card).toEqual(card);
      expect(loaded.dir).toBe(dir);
      const cin = inputChannels(spec);
      const diff = tf.tidy(() => {
        const x = randomTensor([2, 8, 12, cin], 3);
        const a = model.predict(x) as tf.Tensor;
        const b = loaded.model.predict(x) as tf.Tensor;
        expect(b.shape).toEqual([2, 8, 12, spec.channels]);
        return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      });
      expect(diff).toBe(0);
      expect(loaded.model.countParams()).toBe(model.countParams());
      expect(loaded.model.getLayer('code')).toBeDefined();
      model.dispose();
      loaded.model.dispose();
    });
  }
});
