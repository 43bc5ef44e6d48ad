// Photo-noise benchmark: Poisson-Gaussian noise (variance a*y + b, three levels, seeded) on a
// folder of clean images, 8-bit quantised (and with --jpeg Q saved as a JPEG of quality Q, as
// a camera's JPEG would be), denoised by each model with --sigma auto; mean PSNR.
// Usage: npm run build; node scripts/eval-photo-noise.mjs [--jpeg Q] DIR MODEL...
// (e.g. DATA/bench/McMaster color-denoise color-photo)
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readImage } from '../dist/src-main/core/image/io.js';
import { psnr, quantize8 } from '../dist/src-main/core/metrics/psnr.js';
import { addNoise } from '../dist/src-main/core/corrupt/noise.js';
import { Rng } from '../dist/src-main/core/math/rng.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { denoiseRaster } from '../dist/src-main/core/infer/denoise.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';
import { jpegCompress } from '../dist/src-main/core/corrupt/jpeg.js';
await initBackend();
const args = process.argv.slice(2);
const jpegAt = args.indexOf('--jpeg');
const quality = jpegAt >= 0 ? Number(args.splice(jpegAt, 2)[1]) : undefined;
const [dir, ...models] = args;
const settings = [[0.004, 0.0002], [0.01, 0.0005], [0.02, 0.001]];
for (const [a, b] of settings) {
  const sums = Object.fromEntries(['noisy', ...models].map((m) => [m, 0]));
  const files = readdirSync(dir).filter((f) => f.endsWith('.png') || f.endsWith('.tif')).sort();
  for (const [i, f] of files.entries()) {
    const { raster } = await readImage(path.join(dir, f));
    let noisy = quantize8(addNoise(raster, { kind: 'poisson-gaussian', a, b }, new Rng(1000 + i)));
    if (quality !== undefined) noisy = await jpegCompress(noisy, quality);
    sums.noisy += psnr(raster, noisy);
    for (const m of models) {
      const model = await resolveModel(m, 'denoise', raster.channels);
      const res = await denoiseRaster(noisy, model, { sigma: 'auto' });
      sums[m] += psnr(raster, quantize8(res.output));
    }
  }
  console.log(`a=${a} b=${b}${quality === undefined ? '' : ` JPEG ${quality}`}: ` + Object.entries(sums).map(([k, v]) => `${k} ${(v / files.length).toFixed(2)}`).join(', '));
}
