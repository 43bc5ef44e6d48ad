// The inference runtime choice (ONNX Runtime vs TensorFlow.js): overrides, calibration and its
// cache, identical results through runModel, cancel, and an event loop that stays free.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { runModel } from '../../../src-main/core/infer/run-model.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import {
  CALIBRATION_FILE, inferenceRuntime, parseRuntimeName, resetRuntimeChoice, runtimeStatus, setRuntimePreference,
} from '../../../src-main/core/infer/runtime-choice.js';
import { closeOnnxPool, onnxAvailability, onnxPool } from '../../../src-main/core/runtime/onnx-runtime.js';
import { naturalImage } from '../../helpers/synthetic.js';

let cacheDir: string;
let color: LoadedModel;

beforeAll(async () => {
  await initBackend('wasm');
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'mend-cache-'));
  process.env.MEND_CACHE_DIR = cacheDir;
  color = await resolveModel('color-lite', 'denoise', 3);
});

afterEach(() => {
  delete process.env.MEND_RUNTIME;
  resetRuntimeChoice();
});

afterAll(async () => {
  delete process.env.MEND_CACHE_DIR;
  rmSync(cacheDir, { recursive: true, force: true });
  await closeOnnxPool();
});

describe('runtime choice', () => {
  it('onnxruntime-node loads here (its CPU binaries ship in the npm package)', () => {
    const a = onnxAvailability();
    expect(a.available).toBe(true);
    expect(a.providers.at(-1)).toBe('cpu');
  });

  it('parses runtime names and refuses unknown ones as a usage error', () => {
    expect(parseRuntimeName(' ONNX ')).toBe('onnx');
    expect(() => parseRuntimeName('torch')).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('--runtime and MEND_RUNTIME force a runtime without calibrating', async () => {
    setRuntimePreference('tfjs');
    const forced = await inferenceRuntime();
    expect(forced).toMatchObject({ active: 'tfjs', forced: true, reason: 'forced by --runtime' });
    expect(forced.calibration).toBeUndefined();
    process.env.MEND_RUNTIME = 'onnx';
    setRuntimePreference(undefined);
    expect(await inferenceRuntime()).toMatchObject({ active: 'onnx', forced: true, reason: 'forced by MEND_RUNTIME' });
    // The flag wins over the environment.
    setRuntimePreference('tfjs');
    expect((await inferenceRuntime()).active).toBe('tfjs');
    process.env.MEND_RUNTIME = 'nonsense';
    expect(() => setRuntimePreference(undefined)).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('calibrates once, picks the faster runtime, and caches the result per machine', async () => {
    const first = await inferenceRuntime();
    const c = first.calibration!;
    expect(c.cached).toBe(false);
    expect(c.file).toBe(path.join(cacheDir, CALIBRATION_FILE));
    expect(existsSync(c.file)).toBe(true);
    expect(first.active).toBe(c.onnxMegapixelsPerSecond >= c.tfjsMegapixelsPerSecond ? 'onnx' : 'tfjs');
    expect(first.forced).toBe(false);
    expect(runtimeStatus()).toBe(first);
    resetRuntimeChoice();
    const second = await inferenceRuntime();
    expect(second.calibration).toMatchObject({ cached: true, onnxMegapixelsPerSecond: c.onnxMegapixelsPerSecond });
    expect(second.reason).toMatch(/cached/);
    expect(Object.keys(JSON.parse(readFileSync(c.file, 'utf8')).entries)).toHaveLength(1);
    // A calibration timed on another architecture (an older default model) is not reused.
    const file = JSON.parse(readFileSync(c.file, 'utf8')) as { entries: Record<string, unknown> };
    const [[key, entry]] = Object.entries(file.entries);
    const older = JSON.parse(key) as { arch: { width: number } };
    older.arch.width += 12;
    writeFileSync(c.file, JSON.stringify({ entries: { [JSON.stringify(older)]: entry } }));
    resetRuntimeChoice();
    expect((await inferenceRuntime()).calibration?.cached).toBe(false);
    expect(Object.keys(JSON.parse(readFileSync(c.file, 'utf8')).entries)).toHaveLength(2);
  });

  it('measures again after 180 days, and keeps only the 4 newest calibrations', async () => {
    const file = path.join(cacheDir, CALIBRATION_FILE);
    const entries = (JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { measuredAt: string }> }).entries;
    const daysAgo = (d: number): string => new Date(Date.now() - d * 86_400_000).toISOString();
    // This machine's entry, 200 days old, and five other installs of various ages.
    for (const e of Object.values(entries)) e.measuredAt = daysAgo(200);
    for (let i = 0; i < 5; i++) entries[`install-${i}`] = { ...Object.values(entries)[0]!, measuredAt: daysAgo(10 + i) };
    writeFileSync(file, JSON.stringify({ entries }));
    resetRuntimeChoice();
    expect((await inferenceRuntime()).calibration?.cached).toBe(false);
    const kept = (JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { measuredAt: string }> }).entries;
    expect(Object.keys(kept)).toHaveLength(4);
    // The fresh measurement and the three newest others.
    expect(Object.keys(kept).filter((k) => k.startsWith('install-')).sort()).toEqual(['install-0', 'install-1', 'install-2']);
    expect(Date.now() - Date.parse(Object.entries(kept).find(([k]) => !k.startsWith('install-'))![1].measuredAt)).toBeLessThan(600_000);
    resetRuntimeChoice();
    expect((await inferenceRuntime()).calibration?.cached).toBe(true);
  });
});

describe('runModel on both runtimes', () => {
  it('gives the same image (within 1e-4) through ONNX Runtime and TensorFlow.js, tiled', async () => {
    const noisy = addNoise(naturalImage(150, 110, 3, 4), { kind: 'gaussian', sigma: 25 }, new Rng(1));
    const run = async (runtime: string) => {
      setRuntimePreference(runtime);
      let tiles = 0;
      const out = await runModel(color, noisy, { noiseLevel: 25 / 255, tileSize: 64, onEvent: () => tiles++ });
      expect(tiles).toBeGreaterThan(4);
      return out.data;
    };
    const onnx = await run('onnx');
    expect(runtimeStatus()?.onnx.provider).toBe('cpu');
    const tfjs = await run('tfjs');
    let worst = 0;
    for (let i = 0; i < onnx.length; i++) worst = Math.max(worst, Math.abs(onnx[i]! - tfjs[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('gives every ONNX Runtime worker a tile: a small image is cut into strips', async () => {
    setRuntimePreference('onnx');
    const workers = onnxPool().options.workers;
    let tiles = 0;
    await runModel(color, naturalImage(300, 200, 3, 3), { noiseLevel: 0.1, onEvent: () => tiles++ });
    expect(tiles).toBe(workers);
  });

  it('keeps the event loop free while ONNX Runtime computes, and cancels at once', async () => {
    setRuntimePreference('onnx');
    const image = naturalImage(640, 640, 3, 2);
    await runModel(color, naturalImage(64, 64, 3, 1), { noiseLevel: 0.1 }); // session loaded
    let last = performance.now();
    let worstGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    const t0 = performance.now();
    await runModel(color, image, { noiseLevel: 0.1, tileSize: 1024 });
    const oneTile = performance.now() - t0;
    clearInterval(timer);
    // One tile of 640x640 takes most of a second here; the timer never waited more than a fraction of it.
    expect(oneTile).toBeGreaterThan(200);
    expect(worstGap).toBeLessThan(Math.max(60, oneTile / 4));

    const ac = new AbortController();
    const started = performance.now();
    setTimeout(() => ac.abort(), 50);
    await expect(runModel(color, image, { noiseLevel: 0.1, tileSize: 1024, signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    // Rejected well before the tile finished.
    expect(performance.now() - started).toBeLessThan(50 + oneTile / 2);
  });
});
