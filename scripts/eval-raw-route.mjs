// Raw route against sRGB route (issue 24, docs/camera-raw.md "Results"): each clean picture is
// unprocessed to a Bayer mosaic by the test camera (colour matrix, white balance, 12-bit over black
// 256) with Poisson-Gaussian noise (ISO-1600-like a 0.001 b 1e-5, ISO-6400-like a 0.006 b 6e-5,
// seeded per picture), written and read back as a DNG. Raw route: mend denoise's pipeline on it
// (noise estimated from the mosaic, raw-domain denoiser, demosaicing, chroma filter). sRGB route:
// the same noisy mosaic demosaiced and rendered, saved as JPEG quality 90, then `mend denoise`'s
// defaults (default model, sigma estimated). PSNR against the clean picture, means per level.
// Usage: npm run build; node scripts/eval-raw-route.mjs DIR|test-picture [--best-sigma]
// (DIR: a folder of clean .png/.tif pictures, e.g. the McMaster benchmark; test-picture: the
// generated 320x224 picture of test/unit/raw/raw-denoise.test.ts, with its seed.)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readImage, writeImage } from '../dist/src-main/core/image/io.js';
import { psnr } from '../dist/src-main/core/metrics/psnr.js';
import { Rng } from '../dist/src-main/core/math/rng.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { denoiseRaster } from '../dist/src-main/core/infer/denoise.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';
import { naturalImage } from '../dist/src-main/core/lab/scenes.js';
import { unprocess } from '../dist/src-main/core/raw/unprocess.js';
import { readDng, writeCfaDng } from '../dist/src-main/core/raw/dng.js';
import { renderSrgb } from '../dist/src-main/core/raw/colour.js';
import { cameraRgb, denoiseMosaic } from '../dist/src-main/core/raw/raw-denoise.js';
import { estimatePoissonGaussian } from '../dist/src-main/core/raw/sensor-noise.js';

await initBackend();
const args = process.argv.slice(2);
const bestSigma = args.includes('--best-sigma');
const source = args.find((a) => !a.startsWith('--'));
if (!source) throw new Error('usage: node scripts/eval-raw-route.mjs DIR|test-picture [--best-sigma]');
const pictures = source === 'test-picture'
  ? [{ name: 'test picture', clean: naturalImage(320, 224, 3, 21), seed: 4 }]
  : await Promise.all(readdirSync(source).filter((f) => /\.(png|tif)$/i.test(f)).sort()
    .map(async (f, i) => ({ name: f, clean: (await readImage(path.join(source, f))).raster, seed: 1000 + i })));
const levels = [{ a: 0.001, b: 1e-5, label: 'ISO-1600-like' }, { a: 0.006, b: 6e-5, label: 'ISO-6400-like' }];
const grey = await resolveModel(undefined, 'denoise', 1);
const colour = await resolveModel(undefined, 'denoise', 3);
const tmp = mkdtempSync(path.join(tmpdir(), 'mend-raw-eval-'));
try {
  for (const noise of levels) {
    const sums = {};
    const add = (k, v) => { sums[k] = (sums[k] ?? 0) + v; };
    for (const { name, clean, seed } of pictures) {
      const u = unprocess(clean, { noise, rng: new Rng(seed) });
      const raw = readDng(writeCfaDng(u.dng));
      const render = (camera) => ({ width: raw.width, height: raw.height, channels: 3, data: renderSrgb(camera, raw.meta.asShotNeutral, raw.meta.colorMatrix1) });
      const res = await denoiseMosaic(raw, estimatePoissonGaussian(raw.data, raw.width, raw.height), grey);
      const noisy = render(cameraRgb(raw.data, raw));
      const jpegPath = path.join(tmp, 'noisy.jpg');
      await writeImage(jpegPath, { raster: noisy, bitDepth: 8, format: 'jpeg' }, { quality: 90 });
      const jpeg = (await readImage(jpegPath)).raster;
      const row = {
        noisy: psnr(noisy, clean),
        'sRGB route': psnr((await denoiseRaster(jpeg, colour)).output, clean),
        'raw route without chroma filter': psnr(render(cameraRgb(res.mosaic, raw)), clean),
        'raw route': psnr(render(cameraRgb(res.mosaic, raw, res.chromaSigma)), clean),
        'demosaic only': psnr(render(cameraRgb(u.clean, raw)), clean),
      };
      if (bestSigma) {
        let best = row['sRGB route'];
        for (const sigma of [10, 20, 30, 40]) best = Math.max(best, psnr((await denoiseRaster(jpeg, colour, { sigma })).output, clean));
        row['sRGB route, best sigma'] = best;
      }
      for (const [k, v] of Object.entries(row)) add(k, v);
      if (process.env.VERBOSE) console.log(name, noise.label, Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '));
    }
    console.log(`${noise.label} (a ${noise.a}, b ${noise.b}), ${pictures.length} picture(s): ` + Object.entries(sums).map(([k, v]) => `${k} ${(v / pictures.length).toFixed(2)}`).join(', '));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
