// Hostile and careless input to the real CLI (issue 20): each case ends with one clear line and
// an exit code, and no input or model is written over. Batches, RAW files and decompression
// bombs: cli-hostile-batch.test.ts.
import { copyFile, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { REPO_ROOT, runMend } from '../helpers/cli.js';
import { ENV, expectOneLine, hostileFixtures } from '../helpers/hostile.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let photo: string;
let mask: string;

beforeAll(async () => {
  ({ tmp, photo, mask } = await hostileFixtures('mend-hostile-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mend train --out (defect 1)', () => {
  it('refuses a folder that holds a model, or anything, unless --force or --resume with a checkpoint', async () => {
    const model = path.join(tmp, 'gray-lite-copy');
    await cp(path.join(REPO_ROOT, 'models', 'gray-lite'), model, { recursive: true });
    const before = await readFile(path.join(model, 'weights.bin'));
    const data = path.join(tmp, 'train-data');
    await mkdir(data);
    await copyFile(photo, path.join(data, 'a.png'));
    const base = ['train', '--data', data, '--steps', '1', '--batch', '1', '--patch', '16', '--width', '8', '--depth', '3', '--val-every', '1'];

    const r = await runMend([...base, '--out', model], { env: ENV });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toContain(`--out ${model} already holds a model`);
    const resumed = await runMend([...base, '--out', model, '--resume'], { env: ENV });
    expect(resumed.code).toBe(2);
    expect(expectOneLine(resumed.stderr)).toContain('holds no checkpoint');
    expect((await readFile(path.join(model, 'weights.bin'))).equals(before)).toBe(true);

    const other = path.join(tmp, 'notes-folder');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'mine');
    const r2 = await runMend([...base, '--out', other], { env: ENV });
    expect(r2.code).toBe(2);
    expect(expectOneLine(r2.stderr)).toContain('is a folder with 1 entry in it');
    expect(await readdir(other)).toEqual(['notes.txt']);
  });
});

describe('grey + alpha (defect 2; the decoding fix came with issue 21)', () => {
  it('mend denoise keeps the alpha channel of a grey image', async () => {
    const px = Buffer.alloc(32 * 24 * 2);
    for (let i = 0; i < 32 * 24; i++) {
      px[2 * i] = (i * 7) % 256;
      px[2 * i + 1] = i % 32 < 16 ? 255 : 40;
    }
    const input = path.join(tmp, 'grey-alpha.png');
    await sharp(px, { raw: { width: 32, height: 24, channels: 2 } }).toColourspace('b-w').png().toFile(input);
    const out = path.join(tmp, 'grey-alpha.out.png');
    const r = await runMend(['denoise', input, '--sigma', '10', '-o', out], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.channels, meta.space, meta.hasAlpha]).toEqual([2, 'b-w', true]);
    // sharp hands raw pixels out as RGBA: the alpha is the fourth.
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < 32 * 24; i++) expect(data[4 * i + 3]).toBe(i % 32 < 16 ? 255 : 40);
  });
});

describe('inputs are never outputs (defect 3)', () => {
  it('mend inpaint -o MASK and mend anomaly -o X --mask-out X are refused before any work', async () => {
    const before = await readFile(mask);
    const r = await runMend(['inpaint', photo, '--mask', mask, '-o', mask], { env: ENV });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toContain(`output ${mask} is the mask`);
    expect((await readFile(mask)).equals(before)).toBe(true);

    const same = path.join(tmp, 'same.png');
    const a = await runMend(['anomaly', photo, '-o', same, '--mask-out', same], { env: ENV });
    expect(a.code).toBe(2);
    expect(expectOneLine(a.stderr)).toContain('are the same file');
  });
});

describe('model weights (defect 5)', () => {
  it('a model with a NaN weight is refused by denoise and eval with a message', async () => {
    const model = path.join(tmp, 'nan-model');
    await cp(path.join(REPO_ROOT, 'models', 'gray-lite'), model, { recursive: true });
    const w = await readFile(path.join(model, 'weights.bin'));
    w.writeFloatLE(Number.NaN, 0);
    await writeFile(path.join(model, 'weights.bin'), w);

    const out = path.join(tmp, 'nan-out.png');
    const data = path.join(tmp, 'eval-data');
    await mkdir(data);
    await copyFile(photo, path.join(data, 'a.png'));
    const [r, e] = await Promise.all([
      runMend(['denoise', photo, '--model', model, '--sigma', '20', '-o', out], { env: ENV }),
      runMend(['eval', '--data', data, '--model', model, '--sigma', '25'], { env: ENV }),
    ]);
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toMatch(/weights are broken \(.+ holds NaN\)/);
    await expect(stat(out)).rejects.toThrow();

    expect(e.code).toBe(1);
    expect(e.stdout).not.toContain('NaN');
    expect(expectOneLine(e.stderr)).toContain('weights are broken');
  });
});

describe('small images (defect 7)', () => {
  it('an image too small for the noise estimate is named; with --sigma it denoises', async () => {
    const tiny = path.join(tmp, 'tiny.png');
    const strip = path.join(tmp, 'strip.png');
    await writeImage(tiny, { raster: { width: 1, height: 1, channels: 3, data: new Float32Array([0.5, 0.5, 0.5]) } });
    await writeImage(strip, { raster: naturalImage(3, 2000, 3, 4) });
    const [ok, ...runs] = await Promise.all([
      runMend(['denoise', tiny, '--sigma', '10', '-o', path.join(tmp, 'tiny-out.png')], { env: ENV }),
      ...[tiny, strip].map((f) => runMend(['denoise', f, '-o', path.join(tmp, 'small-out.png')], { env: ENV })),
    ]);
    [tiny, strip].forEach((f, i) => {
      expect(runs[i]!.code).toBe(1);
      expect(expectOneLine(runs[i]!.stderr)).toContain(`${f} is `);
      expect(runs[i]!.stderr).toContain('give the level with --sigma N');
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await sharp(path.join(tmp, 'tiny-out.png')).metadata()).width).toBe(1);
  });
});

describe('numbers (defect 10)', () => {
  it('empty, blank and hexadecimal numbers are refused, decimals still read', async () => {
    // Every form is in test/unit/cli/args-numbers.test.ts; here, that the commands use it.
    const bad = [['--sigma', ''], ['--strength', '0x1'], ['--quality', ' ']] as const;
    const [ok, ...runs] = await Promise.all([
      runMend(['denoise', photo, '--sigma', '1.5e1', '--strength', '.5', '-o', path.join(tmp, 'num.png'), '--json'], { env: ENV }),
      ...bad.map(([flag, value]) => runMend(['denoise', photo, flag, value, '-o', path.join(tmp, 'num-bad.png')], { env: ENV })),
    ]);
    runs.forEach((r, i) => {
      expect(r.code, `${bad[i]![0]} "${bad[i]![1]}"`).toBe(2);
      expect(expectOneLine(r.stderr)).toContain(`${bad[i]![0]} must be`);
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('"sigma":15');
  });
});

describe('outputs checked before the work (defect 13)', () => {
  it('a missing -o folder is reported before denoising', async () => {
    const r = await runMend(['denoise', photo, '-o', path.join(tmp, 'no-such-dir') + '/', '--json'], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`the folder ${path.join(tmp, 'no-such-dir')} does not exist`);
    // No progress event: nothing ran.
    expect(r.stdout).not.toContain('"type":"progress"');
  });
});
