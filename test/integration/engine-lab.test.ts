// The lab's engine jobs in process (createEngine, as the engine process runs them): similar
// search over loaded (workspace) images, lab-codes of a compare run, the dust job on workspace
// frames, and the typed errors a user sees for bad requests.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { initBackend } from '../../src-main/core/runtime/backend.js';
import { createEngine, type Engine } from '../../src-main/engine/engine.js';
import type { ImageInfo, JobResult, JobSpec, JobStreamEvent } from '../../src-main/shared/api.js';
import { dustyShoot, writeNearDuplicates } from '../helpers/shoot.js';

let tmp: string;
let engine: Engine;
let n = 0;

async function run<T extends JobResult>(spec: JobSpec, events: JobStreamEvent[] = []): Promise<T> {
  return (await engine.startJob(`job${String(n++).padStart(6, '0')}`, spec, (e) => events.push(e)).done) as T;
}
async function fails(spec: JobSpec): Promise<{ code: string; message: string }> {
  try {
    await run(spec);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('the job did not fail');
}
async function add(file: string): Promise<ImageInfo> {
  const copy = path.join(tmp, `upload-${n++}${path.extname(file)}`);
  await copyFile(file, copy);
  return engine.addImage(path.basename(file), copy);
}

beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-engine-lab-'));
  process.env.MEND_CACHE_DIR = path.join(tmp, 'cache');
  engine = await createEngine({ workspaceDir: path.join(tmp, 'ws'), mode: 'web', roots: [] });
}, 60_000);

afterAll(async () => {
  await engine?.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('lab jobs in the engine', () => {
  it('indexes loaded images and finds the near-duplicate of one of them', async () => {
    const folder = path.join(tmp, 'photos');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(folder);
    await writeNearDuplicates(folder, 3, 2, 4, 128, 96);
    const ids: Record<string, string> = {};
    for (const f of ['scene-0-a-original.png', 'scene-0-c-shift.png', 'scene-1-a-original.png', 'scene-1-d-exposure.png', 'scene-2-a-original.png', 'single-0.png', 'single-1.png']) {
      ids[f] = (await add(path.join(folder, f))).id;
    }
    const index = await run<Extract<JobResult, { type: 'similar-index' }>>({ type: 'similar-index', images: Object.values(ids) });
    expect(index.index).toBe('workspace');
    expect(index.items).toHaveLength(7);
    expect(index.items.every((i) => i.image && i.thumb.startsWith('data:image/jpeg;base64,'))).toBe(true);
    const key = index.items.find((i) => i.image === ids['scene-1-a-original.png'])!.key;
    const found = await run<Extract<JobResult, { type: 'similar-find' }>>({ type: 'similar-find', index: 'workspace', key, k: 3 });
    expect(found.matches[0]!.image).toBe(ids['scene-1-d-exposure.png']);
    // Any loaded image as the query, even one not in the index.
    const extra = await add(path.join(folder, 'scene-0-b-crop.png'));
    const byImage = await run<Extract<JobResult, { type: 'similar-find' }>>({ type: 'similar-find', index: 'workspace', image: extra.id, k: 2 });
    expect([ids['scene-0-a-original.png'], ids['scene-0-c-shift.png']]).toContain(byImage.matches[0]!.image);
    // Server paths are refused without --root.
    expect((await fails({ type: 'similar-index', path: folder })).code).toBe('forbidden');
  });

  it('runs a small compare, then code maps of a loaded picture with one of its models', async () => {
    const events: JobStreamEvent[] = [];
    const cmp = await run<Extract<JobResult, { type: 'lab-compare' }>>({ type: 'lab-compare', variants: ['pca', 'sparse-l1'], steps: 30, code: 8 }, events);
    expect(cmp.variants.map((v) => v.id)).toEqual(['pca', 'sparse-l1']);
    expect(events.some((e) => e.type === 'progress' && e.stage === 'lab' && e.metrics?.variant === 3)).toBe(true);
    const pic = path.join(tmp, 'pic.png');
    await writeImage(pic, { raster: dustyShoot(1, 160, 120, 2, 0, 0).frames[0]!, bitDepth: 8 });
    const img = await add(pic);
    const codes = await run<Extract<JobResult, { type: 'lab-codes' }>>({ type: 'lab-codes', lab: cmp.lab, variant: 'sparse-l1', image: img.id });
    expect(codes).toMatchObject({ code: 8, cols: 20, rows: 15 });
    expect(codes.unitMeans).toHaveLength(8);
    expect((await fails({ type: 'lab-codes', lab: 'nosuchrun', variant: 'pca', image: img.id })).code).toBe('not-found');
    expect((await fails({ type: 'lab-codes', lab: cmp.lab, variant: 'contractive', image: img.id })).code).toBe('not-found');
    expect((await fails({ type: 'lab-compare', patch: 10 })).code).toBe('usage');
  });

  it('finds dust on loaded frames and stores one mask of the frame size', async () => {
    const shoot = dustyShoot(10, 160, 120, 7, 4, 1);
    const ids: string[] = [];
    for (const [i, f] of shoot.frames.entries()) {
      const file = path.join(tmp, `frame${i}.png`);
      await writeImage(file, { raster: f, bitDepth: 8 });
      ids.push((await add(file)).id);
    }
    const res = await run<Extract<JobResult, { type: 'dust' }>>({ type: 'dust', images: ids });
    expect(res.frames).toBe(10);
    expect(res.mask).toMatchObject({ role: 'mask', width: 160, height: 120 });
    expect(res.spots.length).toBeGreaterThanOrEqual(4);
    expect((await fails({ type: 'dust', images: ids.slice(0, 1) })).code).toBe('usage');
  });
});
