// `mend corrupt` end to end: spawns the compiled CLI on synthetic photos in a temp folder.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, readMask, writeImage } from '../../src-main/core/image/io.js';
import { psnr } from '../../src-main/core/metrics/psnr.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

const W = 128;
const H = 96;
let dir: string;
let clean: string; // 8-bit RGB PNG
let withAlpha: string; // 8-bit RGBA PNG

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-cli-corrupt-'));
  clean = join(dir, 'clean.png');
  await writeImage(clean, { raster: naturalImage(W, H, 3, 11), bitDepth: 8 });
  withAlpha = join(dir, 'alpha.png');
  const alpha = new Float32Array(W * H);
  for (let i = 0; i < alpha.length; i++) alpha[i] = (i % W) / (W - 1);
  await writeImage(withAlpha, { raster: naturalImage(W, H, 3, 12), alpha, bitDepth: 8 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function corrupt(args: string[]): Promise<void> {
  const r = await runMend(['corrupt', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('mend corrupt', () => {
  it('gaussian:25 gives about 20.2 dB PSNR against the clean input', async () => {
    const out = join(dir, 'g25.png');
    await corrupt([clean, '-o', out, '--noise', 'gaussian:25']);
    const a = await readImage(clean);
    const b = await readImage(out);
    expect(b.raster.width).toBe(W);
    expect(b.raster.channels).toBe(3);
    const p = psnr(a.raster, b.raster);
    expect(p).toBeGreaterThan(19.5);
    expect(p).toBeLessThan(21);
  });

  it('is seeded: same seed, same bytes; another seed, other bytes', async () => {
    const run = async (name: string, seed: string): Promise<Buffer> => {
      const out = join(dir, name);
      await corrupt([clean, '-o', out, '--noise', 'gaussian:15', '--damage', 'scratches', '--seed', seed]);
      return readFile(out);
    };
    const a = await run('seed7a.png', '7');
    const b = await run('seed7b.png', '7');
    const c = await run('seed8.png', '8');
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('--damage dust --mask-out: the mask is white exactly where the output differs from the input', async () => {
    const out = join(dir, 'dust.png');
    const maskPath = join(dir, 'dust-mask.png');
    const r = await runMend(['corrupt', clean, '-o', out, '--damage', 'dust', '--mask-out', maskPath, '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({ type: 'result', task: 'corrupt', input: clean, output: out, mask: maskPath });
    const a = (await readImage(clean)).raster.data;
    const b = (await readImage(out)).raster.data;
    const mask = await readMask(maskPath, W, H);
    let marked = 0;
    for (let px = 0; px < W * H; px++) {
      const i = px * 3;
      const differs = a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2];
      if (differs !== (mask[px] === 1)) throw new Error(`pixel ${px % W},${Math.floor(px / W)}: mask ${mask[px]}, differs ${differs}`);
      marked += mask[px]!;
    }
    const fraction = marked / (W * H);
    expect(fraction).toBeGreaterThan(0.005);
    expect(fraction).toBeLessThan(0.05);
  });

  it('salt-pepper:0.1 turns about 10% of pixels black or white and leaves the rest', async () => {
    const out = join(dir, 'sp.png');
    await corrupt([clean, '-o', out, '--noise', 'salt-pepper:0.1', '--seed', '5']);
    const a = (await readImage(clean)).raster.data;
    const b = (await readImage(out)).raster.data;
    let impulses = 0;
    for (let px = 0; px < W * H; px++) {
      const i = px * 3;
      const v = b[i]!;
      const impulse = (v === 0 || v === 1) && b[i + 1] === v && b[i + 2] === v;
      if (impulse) impulses++;
      else expect([b[i], b[i + 1], b[i + 2]]).toEqual([a[i], a[i + 1], a[i + 2]]);
    }
    const fraction = impulses / (W * H);
    expect(fraction).toBeGreaterThan(0.085);
    expect(fraction).toBeLessThan(0.115);
  });

  it('--jpeg 10 loses more than --jpeg 90', async () => {
    const q10 = join(dir, 'q10.png');
    const q90 = join(dir, 'q90.png');
    await corrupt([clean, '-o', q10, '--jpeg', '10']);
    await corrupt([clean, '-o', q90, '--jpeg', '90']);
    const a = (await readImage(clean)).raster;
    const p10 = psnr(a, (await readImage(q10)).raster);
    const p90 = psnr(a, (await readImage(q90)).raster);
    expect(Number.isFinite(p10)).toBe(true);
    expect(p10).toBeLessThan(p90 - 3);
  });

  it('keeps the alpha channel untouched', async () => {
    const out = join(dir, 'alpha-noisy.png');
    await corrupt([withAlpha, '-o', out, '--noise', 'gaussian:10']);
    const a = await readImage(withAlpha);
    const b = await readImage(out);
    expect(b.alpha).toBeDefined();
    expect(Array.from(b.alpha!)).toEqual(Array.from(a.alpha!));
    expect(psnr(a.raster, b.raster)).toBeLessThan(35);
  });

  describe('errors', () => {
    const oneLine = (s: string): void => expect(s.trim().split('\n')).toHaveLength(1);

    it('missing input: exit 1, one line naming the file', async () => {
      const r = await runMend(['corrupt', join(dir, 'no-such-photo.png'), '-o', join(dir, 'x.png'), '--noise', 'gaussian:25']);
      expect(r.code).toBe(1);
      oneLine(r.stderr);
      expect(r.stderr).toContain('no-such-photo.png');
    });

    it('not an image: exit 1', async () => {
      const notes = join(dir, 'notes.png');
      await writeFile(notes, 'These are my holiday notes, not a photo.\n');
      const r = await runMend(['corrupt', notes, '-o', join(dir, 'x.png'), '--noise', 'gaussian:25']);
      expect(r.code).toBe(1);
      oneLine(r.stderr);
      expect(r.stderr).toContain('notes.png');
    });

    it('no corruption given: exit 2', async () => {
      const r = await runMend(['corrupt', clean, '-o', join(dir, 'x.png')]);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
    });

    it('--mask-out without --damage: exit 2', async () => {
      const r = await runMend(['corrupt', clean, '-o', join(dir, 'x.png'), '--noise', 'gaussian:25', '--mask-out', join(dir, 'm.png')]);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toContain('--damage');
    });

    it('OUT == IN: exit 2, input untouched', async () => {
      const before = await readFile(clean);
      const r = await runMend(['corrupt', clean, '-o', clean, '--noise', 'gaussian:25']);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect((await readFile(clean)).equals(before)).toBe(true);
    });
  });
});
