// The inpainting network runs on crops around the holes: in the holes it gives what a pass over
// the whole image gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { inpaintPrefill } from '../../../src-main/core/infer/fill.js';
import { predictHoles } from '../../../src-main/core/infer/inpaint.js';
import { runModel } from '../../../src-main/core/infer/run-model.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

let model: LoadedModel;
beforeAll(async () => {
  await initBackend('wasm');
  model = await resolveModel(undefined, 'inpaint', 3);
});

describe('predictHoles', () => {
  it('matches the whole-image network pass in every hole, and leaves the rest as the prefill', async () => {
    // Two spots far apart (two crops) and a scratch across a tile border.
    const w = 1100;
    const h = 200;
    const img = naturalImage(w, h, 3, 41);
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((x - 40) ** 2 + (y - 50) ** 2 <= 36 || (x - 1050) ** 2 + (y - 150) ** 2 <= 25) mask[y * w + x] = 1;
        if (Math.abs(y - 100) <= 1 && x > 480 && x < 560) mask[y * w + x] = 1;
      }
    }
    const prefilled = inpaintPrefill(img, mask);
    const whole = await runModel(model, prefilled, { mask });
    const crops = await predictHoles(model, prefilled, mask, {});
    let worst = 0;
    for (let p = 0; p < mask.length; p++) {
      for (let k = 0; k < 3; k++) {
        const i = p * 3 + k;
        if (mask[p]) worst = Math.max(worst, Math.abs(crops.data[i]! - whole.data[i]!));
        else expect(crops.data[i]).toBe(prefilled.data[i]);
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });
});
