// The trainer's optional onSamples callback (the interface's live preview of training): called
// after each validation with fixed validation patches, clean / corrupted / output, all in [0,1].
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../../src-main/core/image/io.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { trainModel, type TrainSamples } from '../../../src-main/core/train/trainer.js';
import { naturalImage } from '../../helpers/synthetic.js';

let tmp: string;
let data: string;

beforeAll(async () => {
  await initBackend('wasm');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mend-samples-'));
  data = path.join(tmp, 'data');
  await mkdir(data);
  for (let i = 0; i < 3; i++) await writeImage(path.join(data, `img${i}.png`), { raster: naturalImage(48, 48, 1, 7 + i) });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('trainModel onSamples', () => {
  it('gets validation reconstructions after each validation', async () => {
    const got: TrainSamples[] = [];
    await trainModel({
      data, out: path.join(tmp, 'out'),
      arch: { kind: 'residual', channels: 1, width: 4, depth: 3, codeActivation: 'relu', conditioning: 'noise-map' },
      task: 'denoise', corruption: { kind: 'gaussian', sigma: [25, 25] }, corruptionText: 'gaussian:25',
      steps: 4, batch: 2, patch: 16, learningRate: 1e-3, seed: 1, valEvery: 2, checkpointEvery: 100, resume: false,
      id: 't', name: 't', description: 't', command: 'test',
      sampleCount: 2,
      onSamples: (s) => { got.push(s); },
    });
    expect(got.map((s) => s.step)).toEqual([2, 4]);
    for (const s of got) {
      expect(s.count).toBe(2);
      expect(s.channels).toBe(1);
      const n = s.count * s.size * s.size * s.channels;
      expect(s.clean.length).toBe(n);
      expect(s.corrupted.length).toBe(n);
      expect(s.output.length).toBe(n);
      for (const a of [s.clean, s.output]) for (const v of a) expect(v >= 0 && v <= 1).toBe(true);
      // The corrupted planes are noisy versions of the clean ones (sigma 25), not copies.
      let d = 0;
      for (let i = 0; i < n; i++) d += (s.corrupted[i]! - s.clean[i]!) ** 2;
      expect(Math.sqrt(d / n) * 255).toBeGreaterThan(15);
    }
    // Fixed patches: the same clean data at every validation.
    expect(Array.from(got[0]!.clean)).toEqual(Array.from(got[1]!.clean));
  });
});
