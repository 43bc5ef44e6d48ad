// The engine process behind a host (host/client.ts): calls, a crash while a job runs (the job
// rejects with 'engine-crashed', the next call starts a new engine that still has the images),
// cooperative cancel of a long training run, and the kill-and-restart when cancel is too slow.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage } from '../../src-main/core/image/io.js';
import { EngineClient } from '../../src-main/host/client.js';
import type { ClientJob } from '../../src-main/host/client.js';
import type { ApiError, BatchJobSpec, ExportOptions, ImageInfo, JobSpec, JobStreamEvent, TrainJobSpec } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let workspace: string;
let userModels: string;
let client: EngineClient;
let image: ImageInfo;

const ENV = (): NodeJS.ProcessEnv => ({ MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-engine-test-'));
  workspace = path.join(tmp, 'ws');
  userModels = path.join(tmp, 'models');
  client = new EngineClient({ workspaceDir: workspace, env: ENV() });
});

afterAll(async () => {
  await client?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** A training run far longer than the test: something to crash or cancel. */
const longTraining = (name: string): TrainJobSpec => ({
  type: 'train', images: [image.id], name, arch: 'residual', variant: 'denoising', noise: 'gaussian:25',
  channels: 3, patch: 32, steps: 100_000, batch: 4,
});

/** Resolves at the first training step of `job`'s events. */
function firstStep(events: JobStreamEvent[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (events.some((e) => e.type === 'progress' && e.stage === 'train')) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() - t0 > 60_000) {
        clearInterval(tick);
        reject(new Error('no training step within 60 s'));
      }
    }, 20);
  });
}

async function rejection<S extends JobSpec>(job: ClientJob<S>): Promise<ApiError> {
  try {
    await job.done;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('the job did not fail');
}

describe('EngineClient', () => {
  it('calls the engine and adds an image', async () => {
    const info = await client.call('info');
    expect(info.backend.name).toBe('wasm');
    const file = path.join(tmp, 'upload.png');
    await writeImage(file, { raster: naturalImage(64, 64, 3, 5) });
    image = await client.call('addImage', 'photo.png', file);
    expect(image).toMatchObject({ name: 'photo.png', width: 64, height: 64 });
    expect(existsSync(file)).toBe(false); // moved into the workspace
  });

  it('trains a small user model with live validation previews', async () => {
    const events: JobStreamEvent[] = [];
    const job = client.startJob({
      type: 'train', images: [image.id], name: 'Sparse KL test', arch: 'autoencoder', variant: 'sparse-kl', lambda: 1e-3,
      channels: 3, patch: 32, steps: 10, batch: 4,
    }, (e) => events.push(e));
    const result = await job.done;
    expect(result).toMatchObject({ type: 'train', steps: 10, cancelled: false, model: { id: 'sparse-kl-test', source: 'user', task: 'reconstruct' } });
    const samples = events.filter((e): e is Extract<JobStreamEvent, { type: 'samples' }> => e.type === 'samples');
    expect(samples.map((e) => e.step)).toEqual([5, 10]);
    const tile = samples[1]!.images[0]!;
    expect(tile).toMatchObject({ role: 'sample', channels: 3 });
    expect(tile.width).toBe(3 * (tile.height / 3)); // three patches a row: clean | corrupted | output
    const progress = events.filter((e) => e.type === 'progress' && e.stage === 'train');
    expect(progress.at(-1)).toMatchObject({ done: 10, metrics: { step: 10 } });
    const details = await client.call('modelDetails', 'sparse-kl-test');
    expect(details.card).toMatchObject({ arch: { kind: 'autoencoder', codeActivation: 'sigmoid' }, training: { regularizer: 'kl' } });
  });

  it('pauses and resumes a batch', async () => {
    const events: JobStreamEvent[] = [];
    const job = client.startJob({ type: 'batch', task: 'denoise', images: [image.id], sigma: 10 }, (e) => {
      events.push(e);
      if (e.type === 'paused') void job.resume();
    });
    // Sent right behind the start: the batch is paused before it touches its first file.
    await job.pause();
    const result = await job.done;
    expect(result).toMatchObject({ type: 'batch', status: 'completed', done: 1, outputs: ['photo.png'] });
    const kinds = events.map((e) => e.type);
    expect(kinds).toContain('paused');
    expect(kinds).toContain('resumed');
    expect(kinds.indexOf('resumed')).toBeLessThan(kinds.indexOf('file'));
  });

  it('a batch job\'s Amount and Detail reach each file (issue 18), and Amount with a sigma is refused', async () => {
    const input = naturalImage(64, 64, 3, 5).data;
    const moved = async (spec: Partial<BatchJobSpec>): Promise<number> => {
      const result = await client.startJob({ type: 'batch', task: 'denoise', images: [image.id], ...spec }, () => undefined).done;
      expect(result).toMatchObject({ status: 'completed', done: 1 });
      const out = (await readImage(await client.call('batchOutputFile', result.outDir, 'photo.png'))).raster.data;
      let s = 0;
      for (let i = 0; i < out.length; i++) s += (out[i]! - input[i]!) ** 2;
      return s / out.length;
    };
    const low = await moved({ amount: 10 });
    const high = await moved({ amount: 80 });
    const detail = await moved({ amount: 80, detail: 100 });
    expect(high).toBeGreaterThan(3 * low);
    expect(detail).toBeLessThan(0.9 * high);
    const both = client.startJob({ type: 'batch', task: 'denoise', images: [image.id], sigma: 10, amount: 40 }, () => undefined);
    expect(await rejection(both)).toMatchObject({ code: 'usage', message: expect.stringContaining('Give --amount or --sigma, not both') });
  });

  it('refuses a model given as a path instead of an installed model id', async () => {
    const job = client.startJob({ type: 'denoise', image: image.id, sigma: 10, model: path.join(process.cwd(), 'models', 'color-denoise') }, () => undefined);
    expect(await rejection(job)).toMatchObject({ code: 'usage', message: 'The engine refused the request: the job.model has characters that are not allowed' });
  });

  it('checks every job against its schema at its edge, whatever the host sent', async () => {
    const spec = { type: 'denoise', image: image.id, sigma: 'auto', passes: 2, strength: 0.5 } as unknown as JobSpec;
    expect(await rejection(client.startJob(spec, () => undefined))).toMatchObject({ code: 'usage', message: 'The engine refused the request: the job has an unexpected key "strength"' });
    await expect(client.call('exportImage', { image: image.id, format: 'exe' } as unknown as ExportOptions)).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('the export.format must be one of') });
  });

  it('rejects a running job with engine-crashed when the engine dies, and restarts on the next call', async () => {
    const events: JobStreamEvent[] = [];
    const job = client.startJob(longTraining('Crash test'), (e) => events.push(e));
    await firstStep(events);
    const pid = client.pid!;
    process.kill(pid, 'SIGKILL');
    const err = await rejection(job);
    expect(err.code).toBe('engine-crashed');
    expect(err.message).toMatch(/engine process stopped unexpectedly/);

    const again = await client.call('info');
    expect(again.mode).toBe('desktop');
    expect(client.pid).not.toBe(pid);
    // The workspace belongs to the host: the new engine still knows the image.
    const cmp = await client.call('compare', image.id, image.id);
    expect(cmp.psnr).toBe(100);
  });

  it('cancels a long training run cooperatively within the grace period, keeping a checkpoint', async () => {
    const events: JobStreamEvent[] = [];
    const job = client.startJob(longTraining('Cancel test'), (e) => events.push(e));
    await firstStep(events);
    const pid = client.pid;
    const t0 = Date.now();
    await job.cancel();
    const err = await rejection(job);
    const ms = Date.now() - t0;
    expect(err.code).toBe('cancelled');
    expect(err.message).toMatch(/checkpoint is kept/);
    expect(ms).toBeLessThan(3000);
    expect(client.pid).toBe(pid); // stopped by itself, not killed
    expect(existsSync(path.join(userModels, 'cancel-test', 'checkpoint', 'state.json'))).toBe(true);
  });

  it('kills and restarts the engine when a job does not stop within the grace period', async () => {
    // A grace period shorter than one training step: cancel cannot win, the kill does.
    const impatient = new EngineClient({ workspaceDir: workspace, env: ENV(), cancelGraceMs: 1 });
    try {
      await impatient.call('info');
      const events: JobStreamEvent[] = [];
      const job = impatient.startJob(longTraining('Kill test'), (e) => events.push(e));
      await firstStep(events);
      const pid = impatient.pid;
      await job.cancel();
      const err = await rejection(job);
      expect(err.code).toBe('cancelled');
      expect(err.message).toMatch(/did not stop in time/);
      expect((await impatient.call('listModels')).length).toBeGreaterThan(0);
      expect(impatient.pid).not.toBe(pid);
    } finally {
      await impatient.close();
    }
  });
});
