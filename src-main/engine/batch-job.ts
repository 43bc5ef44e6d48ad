/**
 * A batch from the interface: core BatchJob over workspace images (their files) and server-side
 * paths (inside the roots), into a server folder or, by default, a workspace folder the browser
 * downloads from (named `workspace:<job id>` to it, never by its path).
 */
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BATCH_THUMB_LIMIT, type BatchJobSpec, type BatchResult, type JobStreamEvent } from '../shared/api.js';
import { beforeAfter } from './batch-thumbs.js';
import { BatchJob } from '../core/batch/run.js';
import type { BatchProgressEvent } from '../core/batch/types.js';
import { writeImage, type ImageFormat } from '../core/image/io.js';
import type { JobEvent } from '../shared/jobs.js';
import { EngineError } from '../host/errors.js';
import type { JobRuntime } from './image-jobs.js';
import { checkModelId } from './models.js';
import { batchesDir, workspaceBatchDir, workspaceBatchName } from '../host/layout.js';
import { isInside, resolveUnderRoots } from '../host/roots.js';
import type { Workspace } from './workspace.js';

export interface BatchRuntime extends JobRuntime {
  jobId: string;
  roots: string[] | undefined;
  /** The engine routes pause/resume control messages here. */
  setControls(c: { pause(): void; resume(): void }): void;
}

/**
 * A file for a workspace image that core code can read by path: an original's own file, or a
 * 16-bit PNG of a stored result, written into `tmp` under the image's name.
 */
export async function readableFileFor(ws: Workspace, id: string, tmp: () => Promise<string>): Promise<{ file: string; name: string }> {
  const stored = await ws.get(id);
  if (stored.file.startsWith('source')) return { file: await ws.pixelFile(id), name: stored.info.name };
  const { image } = await ws.decode(id);
  // One folder per image, so two results with the same name do not collide.
  const dir = path.join(await tmp(), stored.info.id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, stored.info.name.replace(/\.[^.]*$/, '') + '.png');
  await writeImage(file, { raster: image.raster, alpha: image.alpha }, { format: 'png', depth: 16, keepMetadata: false });
  return { file, name: stored.info.name };
}

/** Relative output name, '/' separators: what batchOutputUrl takes. */
const relName = (outDir: string, file: string): string => path.relative(outDir, file).split(path.sep).join('/');

export async function runBatchJob(spec: BatchJobSpec, rt: BatchRuntime): Promise<BatchResult> {
  const { ws } = rt;
  const images = spec.images ?? [];
  const paths = spec.paths ?? [];
  if (images.length + paths.length === 0) throw new EngineError('usage', 'The batch has no inputs: add images or folders');
  let tmpFolder: string | undefined;
  const tmp = async (): Promise<string> => (tmpFolder ??= await ws.tempFolder('batch-in'));

  // Names the user knows, for events and messages instead of workspace paths.
  const shownAs = new Map<string, string>();
  const inputs: string[] = [];
  for (const id of images) {
    const { file, name } = await readableFileFor(ws, id, tmp);
    inputs.push(file);
    shownAs.set(file, name);
  }
  for (const p of paths) inputs.push(await resolveUnderRoots(p, rt.roots, 'Batch input'));

  let outDir: string;
  let outName: string;
  if (spec.outDir) {
    outDir = await resolveUnderRoots(spec.outDir, rt.roots, 'Output folder');
    outName = outDir;
  } else {
    outName = workspaceBatchName(rt.jobId);
    outDir = workspaceBatchDir(ws.dir, outName)!;
  }
  const mask = spec.task === 'inpaint' && spec.mask ? (await readableFileFor(ws, spec.mask, tmp)).file : undefined;
  if (spec.task === 'inpaint' && !mask) throw new EngineError('usage', 'An inpainting batch needs a mask (one mask for every image)');

  const show = (text: string): string => {
    let t = text.split(outDir).join(outName);
    for (const [file, name] of shownAs) t = t.split(file).join(name);
    if (tmpFolder) t = t.split(tmpFolder + path.sep).join('');
    return t.split(batchesDir(ws.dir)).join('workspace:');
  };

  // Done files' events wait for their thumbnails (the first BATCH_THUMB_LIMIT); the result waits for them all.
  const pendingThumbs = new Set<Promise<void>>();
  let thumbed = 0;

  const onEvent = (e: JobEvent): void => {
    if (e.type === 'log') {
      rt.emit({ ...e, message: show(e.message) });
      return;
    }
    const b = (e as BatchProgressEvent).batch;
    if (!b) {
      rt.emit(e);
      return;
    }
    if (b.event === 'paused') rt.emit({ type: 'paused' });
    else if (b.event === 'resumed') rt.emit({ type: 'resumed' });
    if (b.event === 'file' && b.input && b.status && b.status !== 'pending') {
      const ev: JobStreamEvent = {
        type: 'file',
        input: shownAs.get(b.input) ?? show(b.input),
        status: b.status,
        ...(b.status === 'done' && b.output ? { output: relName(outDir, b.output) } : {}),
        ...(b.reason ? { reason: show(b.reason) } : {}),
      };
      if (b.status === 'done' && b.output && thumbed < BATCH_THUMB_LIMIT) {
        thumbed++;
        const p = beforeAfter(b.input, b.output).then((thumbs) => rt.emit(thumbs && ev.type === 'file' ? { ...ev, thumbs } : ev));
        pendingThumbs.add(p);
        void p.finally(() => pendingThumbs.delete(p));
      } else {
        rt.emit(ev);
      }
    }
    const metrics: Record<string, number> = {
      filesDone: b.filesDone, filesTotal: b.filesTotal, done: b.done, skipped: b.skipped, failed: b.failed,
      ...(b.megapixelsPerSecond !== undefined ? { megapixelsPerSecond: b.megapixelsPerSecond } : {}),
      ...(b.fileFraction !== undefined ? { fileFraction: b.fileFraction } : {}),
    };
    rt.emit({
      type: 'progress', stage: 'batch', done: e.done, total: e.total,
      ...(e.etaSeconds !== undefined ? { etaSeconds: e.etaSeconds } : {}),
      ...(e.detail ? { detail: show(e.detail) } : {}),
      metrics,
    });
  };

  const job = new BatchJob({
    inputs,
    outDir,
    recursive: spec.recursive ?? false,
    task: spec.task,
    model: await checkModelId(spec.model),
    sigma: spec.sigma ?? 'auto',
    amount: spec.amount,
    detail: spec.detail,
    strength: spec.strength ?? 1,
    passes: spec.passes ?? 1,
    mask,
    format: (spec.format as ImageFormat | 'same' | undefined) ?? 'same',
    quality: spec.quality,
    depth: spec.depth,
    keepMetadata: spec.keepMetadata ?? true,
    skipExisting: spec.skipExisting ?? false,
    signal: rt.signal,
    onEvent,
    commandLine: 'mend batch (from the Mend interface)',
  });
  rt.setControls({ pause: () => job.pause(), resume: () => job.resume() });
  try {
    const s = await job.run();
    await Promise.all([...pendingThumbs]);
    return {
      type: 'batch',
      status: s.status,
      outDir: outName,
      total: s.total,
      done: s.done,
      skipped: s.skipped,
      failed: s.failed,
      failures: s.failures.map((f) => ({ input: shownAs.get(f.input) ?? show(f.input), reason: show(f.reason) })),
      outputs: s.files.filter((f) => f.status === 'done').map((f) => relName(outDir, f.output)),
      seconds: s.seconds,
    };
  } finally {
    if (tmpFolder) await rm(tmpFolder, { recursive: true, force: true });
  }
}

/**
 * The file behind batchOutputUrl(outDir, name): inside the workspace batch folder or, for a
 * server-side output folder, inside the roots. `name` is relative ('/' separators, no `..`).
 */
export async function batchOutputFile(ws: Workspace, roots: string[] | undefined, outDir: string, name: string): Promise<string> {
  if (typeof outDir !== 'string' || typeof name !== 'string' || !name) throw new EngineError('usage', 'Batch output folder and file name are needed');
  const parts = name.split(/[\\/]/);
  if (path.isAbsolute(name) || parts.some((p) => p === '..' || p === '' || p === '.') || name.includes('\0')) {
    throw new EngineError('forbidden', `Bad batch output name "${name}"`);
  }
  const wsDir = workspaceBatchDir(ws.dir, outDir);
  let file: string;
  if (wsDir) {
    const real = await realpath(wsDir).catch(() => {
      throw new EngineError('not-found', `Batch output not found: ${name}`);
    });
    file = await resolveUnderRoots(path.join(real, ...parts), [real], 'Batch output');
  } else {
    const dir = await resolveUnderRoots(outDir, roots, 'Output folder');
    file = await resolveUnderRoots(path.join(dir, ...parts), roots, 'Batch output');
    if (!isInside(dir, file)) throw new EngineError('forbidden', `Bad batch output name "${name}"`);
  }
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new EngineError('not-found', `Batch output not found: ${name}`);
  return file;
}
