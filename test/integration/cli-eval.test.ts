// `mend eval` end to end on a tiny untrained model (built and saved here, no training) and two
// generated 64x64 grayscale PNGs: checks the protocol's input PSNR and the usage errors.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { buildModel, type ArchSpec } from '../../src-main/core/models/architectures.js';
import type { ModelCard } from '../../src-main/core/models/card.js';
import { saveModelFolder } from '../../src-main/core/models/store.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
let modelDir: string;
let dataDir: string;
let emptyDir: string;

beforeAll(async () => {
  tf.enableProdMode(); // no console banner
  dir = await mkdtemp(join(tmpdir(), 'mend-cli-eval-'));
  modelDir = join(dir, 'tiny');
  dataDir = join(dir, 'data');
  emptyDir = join(dir, 'empty');
  await mkdir(dataDir);
  await mkdir(emptyDir);
  const arch: ArchSpec = { kind: 'unet', channels: 1, width: 4, levels: 1, blocks: 0, codeActivation: 'relu', conditioning: 'noise-map' };
  const card: ModelCard = {
    id: 'tiny-eval', name: 'Tiny', description: 'untrained test model', task: 'denoise', channels: 1, arch,
    sigmaRange: [0, 55], created: new Date(0).toISOString(),
  };
  await saveModelFolder(modelDir, buildModel(arch), card);
  await writeImage(join(dataDir, 'a.png'), { raster: naturalImage(64, 64, 1, 21), bitDepth: 8 });
  await writeImage(join(dataDir, 'b.png'), { raster: naturalImage(64, 64, 1, 22), bitDepth: 8 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('mend eval', () => {
  it('denoise --json: one result line, one row per sigma, unclipped input PSNR', async () => {
    const r = await runMend(['eval', '--model', modelDir, '--data', dataDir, '--sigma', '10,30', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!);
    expect(result.type).toBe('result');
    expect(result.task).toBe('denoise');
    expect(result.model).toBe('tiny-eval');
    expect(result.results).toHaveLength(2);
    const [s10, s30] = result.results;
    expect(s10.sigma).toBe(10);
    expect(s30.sigma).toBe(30);
    expect(s10.images).toBe(2);
    // PSNR of unclipped N(0, sigma/255) noise is 20 log10(255 / sigma).
    expect(Math.abs(s10.inputPsnr - 20 * Math.log10(255 / 10))).toBeLessThan(0.3);
    expect(Math.abs(s30.inputPsnr - 20 * Math.log10(255 / 30))).toBeLessThan(0.3);
    for (const row of result.results) {
      expect(Number.isFinite(row.psnr)).toBe(true);
      expect(row.ssim).toBeGreaterThan(-1);
      expect(row.ssim).toBeLessThanOrEqual(1);
    }
    // Progress events come before the result, as NDJSON.
    expect(lines.slice(0, -1).some((l) => JSON.parse(l).type === 'progress')).toBe(true);
  });

  it('denoise --estimate gives the model the estimated sigma and reports it per row', async () => {
    const r = await runMend(['eval', '--model', modelDir, '--data', dataDir, '--sigma', '10,30', '--estimate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const [s10, s30] = result.results;
    // The estimator reads the same unclipped noise the protocol adds: it must land near the truth.
    expect(Math.abs(s10.estimatedSigma - 10)).toBeLessThan(2);
    expect(Math.abs(s30.estimatedSigma - 30)).toBeLessThan(4);
    const text = await runMend(['eval', '--model', modelDir, '--data', dataDir, '--sigma', '30', '--estimate']);
    expect(text.stdout).toMatch(/estimated sigma/);
    expect(text.stdout).toMatch(/\bestimated\b.*\bimages\b/);
  });

  it('usage errors exit with code 2', async () => {
    const cases = [
      ['eval', '--sigma', '15'], // no --data
      ['eval', '--model', modelDir, '--data', dataDir, '--sigma', '15,abc'],
      ['eval', '--model', modelDir, '--data', dataDir, '--sigma', '0'],
      ['eval', '--task', 'inpaint', '--data', dataDir],
      ['eval', '--model', modelDir, '--data', emptyDir, '--sigma', '15'],
      ['eval', '--model', modelDir, '--data', dataDir, '--estimate', '--record'],
      ['eval', '--task', 'inpaint', '--data', dataDir, '--masks', dataDir, '--estimate'],
    ];
    const results = await Promise.all(cases.map((args) => runMend(args)));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]!.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^mend: /);
    }
  });
});
