// Photo-noise benchmark: Poisson-Gaussian noise (variance a*y + b, three levels, seeded) on a
// folder of clean images, 8-bit quantised, denoised by each model with --sigma auto; mean PSNR.
// Usage: npm run build; node scripts/eval-photo-noise.mjs DIR MODEL...
// (e.g. shared/data/bench/McMaster color-denoise color-photo)
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readImage } from '../dist/src-main/core/image/io.js';
import { psnr, quantize8 } from '../dist/src-main/core/metrics/psnr.js';
import { addNoise } from '../dist/src-main/core/corrupt/noise.js';
import { Rng } from '../dist/src-main/core/corrupt/rng.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { denoiseRaster } from '../dist/src-main/core/infer/denoise.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';
await initBackend();
const dir = process.argv[2];
const models = process.argv.slice(3);
const settings = [[0.004, 0.0002], [0.01, 0.0005], [0.02, 0.001]];
for (const [a, b] of settings) {
  const sums = Object.fromEntries(['noisy', ...models].map((m) => [m, 0]));
  const files = readdirSync(dir).filter((f) => f.endsWith('.png') || f.endsWith('.tif')).sort();
  for (const [i, f] of files.entries()) {
    const { raster } = await readImage(path.join(dir, f));
    const noisy = quantize8(addNoise(raster, { kind: 'poisson-gaussian', a, b }, new Rng(1000 + i)));
    sums.noisy += psnr(raster, noisy);
    for (const m of models) {
      const model = await resolveModel(m, 'denoise', raster.channels);
      const res = await denoiseRaster(noisy, model, { sigma: 'auto' });
      sums[m] += psnr(raster, quantize8(res.output));
    }
  }
  console.log(`a=${a} b=${b}: ` + Object.entries(sums).map(([k, v]) => `${k} ${(v / files.length).toFixed(2)}`).join(', '));
}
