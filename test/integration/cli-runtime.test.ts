// The inference runtime from the command line: --runtime and MEND_RUNTIME, `mend info`, and
// the same denoised picture from both runtimes.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../src-main/core/corrupt/noise.js';
import { Rng } from '../../src-main/core/math/rng.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-cli-runtime-'));
  env = { MEND_CACHE_DIR: path.join(dir, 'cache'), MEND_RUNTIME: '' };
  const noisy = addNoise(naturalImage(160, 120, 3, 5), { kind: 'gaussian', sigma: 20 }, new Rng(2), { clip: true });
  await writeImage(path.join(dir, 'noisy.png'), { raster: noisy, bitDepth: 8, format: 'png' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const result = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop()!);

describe('mend --runtime', () => {
  it('mend info calibrates on first use, caches it, and says which runtime runs and why', async () => {
    const first = await runMend(['info'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Inference: (ONNX Runtime|TensorFlow\.js).*faster than/m);
    expect(first.stdout).toMatch(/calibration: ONNX Runtime [\d.]+ MP\/s, TensorFlow\.js [\d.]+ MP\/s \(measured now/);
    const second = await runMend(['info', '--json'], { env });
    const info = result(second.stdout) as { runtime: { active: string; forced: boolean; calibration: { cached: boolean } } };
    expect(info.runtime.forced).toBe(false);
    expect(info.runtime.calibration.cached).toBe(true);
  });

  it('--runtime and MEND_RUNTIME force a runtime; a bad name is a usage error', async () => {
    const flag = result((await runMend(['info', '--json', '--runtime', 'tfjs'], { env: { ...env, MEND_RUNTIME: 'onnx' } })).stdout) as { runtime: { active: string; forced: boolean } };
    expect(flag.runtime).toMatchObject({ active: 'tfjs', forced: true });
    const fromEnv = result((await runMend(['info', '--json'], { env: { ...env, MEND_RUNTIME: 'onnx' } })).stdout) as { runtime: { active: string; description: string } };
    expect(fromEnv.runtime.active).toBe('onnx');
    expect(fromEnv.runtime.description).toMatch(/^ONNX Runtime \d/);
    const bad = await runMend(['info', '--runtime', 'torch'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown runtime "torch"/);
  });

  it('denoises to the same picture on both runtimes (8-bit output within one level)', async () => {
    const outs: Buffer[] = [];
    for (const runtime of ['onnx', 'tfjs']) {
      const out = path.join(dir, `out-${runtime}.png`);
      const res = await runMend(['denoise', path.join(dir, 'noisy.png'), '-o', out, '--sigma', '20', '--runtime', runtime, '--tile', '64'], { env });
      expect(res.code, res.stderr).toBe(0);
      outs.push(await sharp(out).raw().toBuffer());
    }
    let worst = 0;
    for (let i = 0; i < outs[0]!.length; i++) worst = Math.max(worst, Math.abs(outs[0]![i]! - outs[1]![i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
