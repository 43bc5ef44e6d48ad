// `mend batch --amount A --detail D` (issue 18 in batches): on generated noisy photos and a noisy
// DNG in one folder, a higher Amount removes more noise than a lower one, Detail gives some of it
// back, a photo comes out exactly as `mend denoise` makes it with the same settings, the RAW file
// follows Amount (and --sigma) through the raw route, the journal redoes files when Amount or
// Detail changes, presets carry them, and wrong combinations are refused in one line.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_NAME, parseJournal } from '../../src-main/core/batch/journal.js';
import { addNoise } from '../../src-main/core/corrupt/noise.js';
import { readImage, writeImage } from '../../src-main/core/image/io.js';
import type { Raster } from '../../src-main/core/image/raster.js';
import { Rng } from '../../src-main/core/math/rng.js';
import { LINEAR_RAW_PHOTOMETRIC, readDng, writeCfaDng } from '../../src-main/core/raw/dng.js';
import { cameraRgb } from '../../src-main/core/raw/raw-denoise.js';
import { nums, parseTiff } from '../../src-main/core/raw/tiff.js';
import { unprocess } from '../../src-main/core/raw/unprocess.js';
import { expectOneLine } from '../helpers/hostile.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
let inDir: string;
const W = 96, H = 80;
const made = unprocess(naturalImage(W, H, 3, 31), { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(5), iso: 6400 });
const noisyPhotos: Record<string, Raster> = {};
const env = (): NodeJS.ProcessEnv => ({ MEND_BACKEND: 'wasm', MEND_PRESETS: path.join(dir, 'presets.json') });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-batch-amount-'));
  inDir = path.join(dir, 'in');
  await mkdir(inDir);
  for (const [name, seed] of [['a.png', 3], ['b.png', 4]] as const) {
    const noisy = addNoise(naturalImage(W, H, 3, seed), { kind: 'gaussian', sigma: 20 }, new Rng(seed));
    await writeImage(path.join(inDir, name), { raster: noisy, bitDepth: 8, format: 'png' }, { keepMetadata: false });
    noisyPhotos[name] = (await readImage(path.join(inDir, name))).raster;
  }
  await writeFile(path.join(inDir, 'IMG_0001.dng'), writeCfaDng(made.dng));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resultOf = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').at(-1)!);

const dist = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
};

/** Camera RGB of a linear DNG Mend wrote (one 16-bit strip), on [0,1]. */
function linearDngPixels(bytes: Uint8Array): Float32Array {
  const t = parseTiff(bytes);
  expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
  const off = nums(t.ifds[0], 273)![0];
  const out = new Float32Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = t.view.getUint16(off + 2 * i, true) / 65535;
  return out;
}

/** One batch over the folder; the outputs' distance from their noisy inputs. */
async function batch(name: string, args: string[]): Promise<{ outDir: string; photo: Record<string, number>; raw: number; result: Record<string, any> }> {
  const outDir = path.join(dir, name);
  const res = await runMend(['batch', inDir, '-o', outDir, '--json', ...args], { env: env(), timeoutMs: 180_000 });
  expect(res.code, res.stderr).toBe(0);
  const photo: Record<string, number> = {};
  for (const f of Object.keys(noisyPhotos)) photo[f] = dist((await readImage(path.join(outDir, f))).raster.data, noisyPhotos[f]!.data);
  const rawIn = readDng(writeCfaDng(made.dng));
  const raw = dist(linearDngPixels(await readFile(path.join(outDir, 'IMG_0001.dng'))), cameraRgb(rawIn.data, rawIn));
  return { outDir, photo, raw, result: resultOf(res.stdout) };
}

describe('mend batch --amount and --detail', () => {
  it('a higher Amount removes more noise, Detail gives some back, on photos and the RAW file, as mend denoise does', async () => {
    const low = await batch('low', ['--amount', '20']);
    const high = await batch('high', ['--amount', '70']);
    const detail = await batch('detail', ['--amount', '70', '--detail', '100']);
    expect(high.result).toMatchObject({ done: 3, failed: 0 });
    for (const f of Object.keys(noisyPhotos)) {
      expect(high.photo[f]!, f).toBeGreaterThan(1.5 * low.photo[f]!);
      // Detail 100 gives back part of what Amount 70 removed: nearer the input, still well past Amount 20's.
      expect(detail.photo[f]!, f).toBeLessThan(0.9 * high.photo[f]!);
      expect(detail.photo[f]!, f).toBeGreaterThan(low.photo[f]!);
    }
    expect(high.raw).toBeGreaterThan(1.5 * low.raw);
    expect(detail.raw).toBeLessThan(0.9 * high.raw);

    // The same photo through `mend denoise` with the same settings: the same pixels.
    const single = path.join(dir, 'single-a.png');
    const one = await runMend(['denoise', path.join(inDir, 'a.png'), '-o', single, '--amount', '70', '--detail', '100'], { env: env() });
    expect(one.code, one.stderr).toBe(0);
    expect((await readImage(single)).raster.data).toEqual((await readImage(path.join(detail.outDir, 'a.png'))).raster.data);

    // The journal keeps Amount and Detail: the same run skips everything, another Amount redoes it.
    const journal = parseJournal(await readFile(path.join(detail.outDir, JOURNAL_NAME), 'utf8'));
    expect(journal.map((e) => [e.settings.amount, e.settings.detail])).toEqual([[70, 100], [70, 100], [70, 100]]);
    const same = await runMend(['batch', inDir, '-o', detail.outDir, '--json', '--amount', '70', '--detail', '100'], { env: env() });
    expect(resultOf(same.stdout)).toMatchObject({ done: 0, skipped: 3 });
    const other = await runMend(['batch', inDir, '-o', detail.outDir, '--json', '--amount', '70', '--detail', '50'], { env: env(), timeoutMs: 180_000 });
    expect(resultOf(other.stdout)).toMatchObject({ done: 3, skipped: 0 });
  }, 600_000);

  it('the RAW file in a batch follows --sigma as mend denoise does', async () => {
    const auto = await runMend(['batch', path.join(inDir, 'IMG_0001.dng'), '-o', path.join(dir, 'raw-auto'), '--json'], { env: env(), timeoutMs: 180_000 });
    expect(auto.code, auto.stderr).toBe(0);
    const bySigma = await runMend(['batch', path.join(inDir, 'IMG_0001.dng'), '-o', path.join(dir, 'raw-sigma'), '--json', '--sigma', '40'], { env: env(), timeoutMs: 180_000 });
    expect(bySigma.code, bySigma.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, 'raw-sigma', 'mend-batch-report.json'), 'utf8')) as { files: { sigma?: number }[] };
    expect(report.files[0]!.sigma).toBe(40);
    const a = await readFile(path.join(dir, 'raw-auto', 'IMG_0001.dng'));
    const s = await readFile(path.join(dir, 'raw-sigma', 'IMG_0001.dng'));
    expect(Buffer.compare(a, s)).not.toBe(0);
  }, 300_000);

  it('presets carry Amount and Detail; wrong values and combinations are refused in one line', async () => {
    const photo = path.join(inDir, 'a.png');
    const saved = await runMend(['batch', photo, '-o', path.join(dir, 'p1'), '--amount', '30', '--detail', '10', '--save-preset', 'Soft'], { env: env() });
    expect(saved.code, saved.stderr).toBe(0);
    const file = JSON.parse(await readFile(path.join(dir, 'presets.json'), 'utf8')) as { presets: Record<string, unknown>[] };
    expect(file.presets[0]).toMatchObject({ name: 'Soft', amount: 30, detail: 10 });
    expect(file.presets[0]).not.toHaveProperty('sigma');
    const used = await runMend(['batch', photo, '-o', path.join(dir, 'p2'), '--preset', 'Soft'], { env: env() });
    expect(used.code, used.stderr).toBe(0);
    const journal = parseJournal(await readFile(path.join(dir, 'p2', JOURNAL_NAME), 'utf8'));
    expect(journal[0]!.settings).toMatchObject({ amount: 30, detail: 10, sigma: 'auto' });
    // --sigma on the command line replaces the preset's Amount rather than clashing with it.
    const over = await runMend(['batch', photo, '-o', path.join(dir, 'p3'), '--preset', 'Soft', '--sigma', '12'], { env: env() });
    expect(over.code, over.stderr).toBe(0);
    expect(parseJournal(await readFile(path.join(dir, 'p3', JOURNAL_NAME), 'utf8'))[0]!.settings).toMatchObject({ sigma: 12, detail: 10 });

    const refused: [string[], RegExp][] = [
      [['--amount', '40', '--sigma', '20'], /Give --amount or --sigma, not both/],
      [['--amount', '101'], /--amount must be a number between 0 and 100/],
      [['--detail=-5'], /--detail must be a number between 0 and 100/],
      [['--task', 'inpaint', '--mask', photo, '--amount', '40'], /are for --task denoise/],
    ];
    for (const [args, re] of refused) {
      const res = await runMend(['batch', photo, '-o', path.join(dir, 'refused'), ...args], { env: env() });
      expect(res.code, args.join(' ')).toBe(2);
      expect(expectOneLine(res.stderr)).toMatch(re);
    }
  }, 300_000);
});
