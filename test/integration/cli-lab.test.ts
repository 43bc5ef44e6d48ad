// The lab's commands end to end through the compiled CLI: `mend lab compare` (table, --json,
// --out pictures), `mend anomaly --batch` (one mask for a dusty shoot) and `mend similar
// index|find|groups` (with a cached index in MEND_CACHE_DIR).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMask, writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { dustyShoot, scoreSpots, writeNearDuplicates } from '../helpers/shoot.js';

let dir: string;
const env = (): NodeJS.ProcessEnv => ({ MEND_CACHE_DIR: join(dir, 'cache'), MEND_BACKEND: 'wasm' });

function resultLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines[lines.length - 1]!;
  expect(last.type).toBe('result');
  return last;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-cli-lab-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('mend lab compare', () => {
  it('prints the table, and with --json --out the numbers and the pictures', async () => {
    const out = join(dir, 'lab');
    const r = await runMend(['lab', 'compare', '--steps', '60', '--variants', 'pca,linear,sparse-kl', '--json', '--out', out], { env: env(), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const res = resultLine(r.stdout) as { variants: { id: string; mse: number; jacobian: number; nearZero: number }[] };
    expect(res.variants.map((v) => v.id)).toEqual(['pca', 'linear', 'sparse-kl']);
    for (const v of res.variants) expect(v.mse).toBeGreaterThan(0);
    for (const f of ['reconstructions.png', 'denoised.png', 'filters-pca.png', 'filters-sparse-kl.png', 'report.json']) expect(existsSync(join(out, f))).toBe(true);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { variants: unknown[] };
    expect(report.variants).toHaveLength(3);

    const text = await runMend(['lab', 'compare', '--steps', '20', '--variants', 'pca,undercomplete'], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/variant\s+recon MSE\s+PSNR dB\s+near-zero/);
    expect(text.stdout).toMatch(/Undercomplete/);
    const bad = await runMend(['lab', 'compare', '--variants', 'pca,nonsense'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown variant "nonsense"/);
  });
});

describe('mend anomaly --batch', () => {
  it('finds the shoot\'s dust and hot pixels and writes one mask and a heat map', async () => {
    const shoot = join(dir, 'shoot');
    await mkdir(shoot);
    const s = dustyShoot(12, 240, 180, 5, 8, 3);
    for (const [i, f] of s.frames.entries()) await writeImage(join(shoot, `frame-${String(i).padStart(2, '0')}.png`), { raster: f, bitDepth: 8 });
    const mask = join(dir, 'dust-mask.png');
    const heat = join(dir, 'dust-heat.png');
    const r = await runMend(['anomaly', '--batch', shoot, '-o', mask, '--heatmap', heat, '--json'], { env: env() });
    expect(r.code).toBe(0);
    const res = resultLine(r.stdout) as { frames: number; spots: { kind: string; x: number; y: number }[]; maskedPixels: number };
    expect(res.frames).toBe(12);
    const score = scoreSpots(s.spots, res.spots);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    expect(score.falseRate).toBeLessThanOrEqual(0.1);
    const m = await readMask(mask, 240, 180);
    let n = 0;
    for (const v of m) n += v;
    expect(n).toBe(res.maskedPixels);
    expect(existsSync(heat)).toBe(true);
    const text = await runMend(['anomaly', '--batch', shoot, '-o', mask], { env: env() });
    expect(text.stdout).toMatch(/12 frames: \d+ dust spots?, \d+ hot pixels?/);
  });
});

describe('mend similar', () => {
  it('indexes a folder (then reuses the cache), finds a near-duplicate first and groups the bursts', async () => {
    const folder = join(dir, 'photos');
    await mkdir(folder);
    await writeNearDuplicates(folder, 5, 3, 2);
    const first = await runMend(['similar', 'index', folder, '--json'], { env: env(), timeoutMs: 90_000 });
    expect(first.code).toBe(0);
    const a = resultLine(first.stdout) as { images: number; decoded: number; retrained: boolean };
    expect(a).toMatchObject({ images: 28, decoded: 28, retrained: true });
    const again = resultLine((await runMend(['similar', 'index', folder, '--json'], { env: env() })).stdout);
    expect(again).toMatchObject({ images: 28, decoded: 0, reused: 28, retrained: false });

    const find = await runMend(['similar', 'find', join(folder, 'scene-3-d-exposure.png'), '--index', folder, '-k', '4', '--json'], { env: env() });
    expect(find.code).toBe(0);
    const matches = (resultLine(find.stdout).matches as { path: string }[]).map((m) => m.path);
    expect(matches).toHaveLength(4);
    for (const m of matches) expect(m).toMatch(/scene-3-/);

    const groups = resultLine((await runMend(['similar', 'groups', folder, '--json'], { env: env() })).stdout).groups as string[][];
    expect(groups.length).toBe(5);
    for (const g of groups) expect(new Set(g.map((p) => /scene-(\d+)/.exec(p)![1])).size).toBe(1);

    const missing = await runMend(['similar', 'find', join(folder, 'single-0.png'), '--index', join(dir, 'shoot')], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not indexed yet/);
  });
});
