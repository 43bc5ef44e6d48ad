/**
 * The autoencoder lab's jobs (issue 8): variants side by side, code maps of a picture, the
 * shoot-wide dust and hot pixel finder, and similar-image search. Each runs the same core
 * function as its `mend lab` / `mend anomaly --batch` / `mend similar` command and stores its
 * pictures as workspace images (role 'sample', masks as 'mask', heat maps as 'heatmap').
 */
import { mkdir, readdir, rm, stat, symlink, copyFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  DustJob, DustResult, ImageId, ImageInfo, LabCodesJob, LabCodesResult, LabCompareJob, LabCompareResult, LabVariantId,
  SimilarFindJob, SimilarFindResult, SimilarIndexJob, SimilarIndexResult, SimilarItem,
} from '../shared/api.js';
import { findShootDefects, type FrameSource } from '../core/infer/dust.js';
import { formatFromPath, readImage } from '../core/image/io.js';
import { type Raster } from '../core/image/raster.js';
import { throwIfCancelled } from '../core/jobs/cancel.js';
import { codeMaps, type PatchModel } from '../core/lab/codes.js';
import { codeStats, LAB_VARIANT_IDS, runLabCompare } from '../core/lab/compare.js';
import { readLabImage, shrinkGrey } from '../core/lab/patches.js';
import { codeMapTiles, filterTiles, gridShape, heatColour, patchTiles, tileGrid } from '../core/lab/render.js';
import {
  codeOfFile, codeOfThumb, DEFAULT_GROUP_DISTANCE, defaultIndexFile, indexFolder, loadIndex, nearDuplicateGroups, nearest,
  projectCodes, storedCode, thumbnailOf, type IndexEntry, type IndexOptions, type SimilarIndex,
} from '../core/lab/similar.js';
import { listImages } from '../core/train/dataset.js';
import { EngineError } from '../host/errors.js';
import type { JobRuntime } from './image-jobs.js';
import { newId } from '../host/layout.js';
import { resolveUnderRoots } from '../host/roots.js';

export interface LabRuntime extends JobRuntime {
  roots: string[] | undefined;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Server folders/files (under the roots) as a list of image files, in order. */
async function filesOf(paths: string[], rt: LabRuntime, what: string): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const real = await resolveUnderRoots(p, rt.roots, what);
    const st = await stat(real).catch(() => undefined);
    if (!st) throw new EngineError('not-found', `${p}: not found`);
    if (st.isDirectory()) files.push(...(await listImages(real)));
    else if (formatFromPath(real)) files.push(real);
  }
  return files;
}

// ---- Variants side by side ---------------------------------------------------------------

interface LabRun {
  patch: number;
  scale: number;
  models: Map<LabVariantId, PatchModel>;
}

/** The last few compare runs, for lab-codes (the engine process keeps them in memory). */
const labRuns = new Map<string, LabRun>();
const KEEP_RUNS = 4;

const sample = (rt: LabRuntime, name: string, raster: Raster): Promise<ImageInfo> => rt.ws.addResult({ name, role: 'sample', raster, bitDepth: 8 });

export async function runLabCompareJob(spec: LabCompareJob, rt: LabRuntime): Promise<LabCompareResult> {
  const t0 = performance.now();
  // The job's schema (shared/schema/jobs.ts) checked every field at the engine's edge.
  const images = spec.images ?? [];
  const variants = spec.variants ?? [...LAB_VARIANT_IDS];
  const patch = spec.patch ?? 8;
  const code = spec.code ?? 16;
  const steps = spec.steps ?? 2000;

  // Data: the user's pictures (downscaled grey), else generated scenes.
  const rasters: Raster[] = [];
  const files = await filesOf(spec.paths ?? [], rt, 'Lab data');
  for (const [i, f] of files.slice(0, 200).entries()) {
    throwIfCancelled(rt.signal);
    rt.emit({ type: 'progress', stage: 'lab-data', done: i, total: Math.min(200, files.length), detail: path.basename(f) });
    try {
      rasters.push(await readLabImage(f));
    } catch (e) {
      rt.emit({ type: 'log', level: 'warn', message: `Skipped ${path.basename(f)}: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  for (const id of images) rasters.push(shrinkGrey((await rt.ws.decode(id)).image.raster, 640));
  const usable = rasters.filter((r) => r.width >= patch && r.height >= patch);
  if ((spec.paths?.length || images.length) && usable.length === 0) throw new EngineError('usage', `No picture is at least ${patch}x${patch} pixels`);
  const data = usable.length ? `${usable.length} picture${usable.length === 1 ? '' : 's'}` : 'generated photo-like scenes';

  const res = await runLabCompare({
    ...(usable.length ? { images: usable } : {}), variants, patch, code, steps,
    ...(spec.noiseSigma !== undefined ? { noiseSigma: spec.noiseSigma } : {}),
    ...(spec.l1Lambda !== undefined ? { l1Lambda: spec.l1Lambda } : {}),
    ...(spec.klLambda !== undefined ? { klLambda: spec.klLambda } : {}),
    ...(spec.rho !== undefined ? { rho: spec.rho } : {}),
    ...(spec.contractiveLambda !== undefined ? { contractiveLambda: spec.contractiveLambda } : {}),
    seed: spec.seed ?? 1,
    signal: rt.signal, onEvent: rt.emit,
  });

  const zoom = Math.max(2, Math.round(32 / patch));
  const strip = (pixels: Float32Array): Raster => tileGrid(patchTiles(pixels, patch, res.samples.count), patch, patch, res.samples.count, zoom);
  const lab = newId();
  const models = new Map<LabVariantId, PatchModel>();
  const reports: LabCompareResult['variants'] = [];
  rt.emit({ type: 'progress', stage: 'lab-images', done: 0, total: res.variants.length });
  for (const v of res.variants) {
    models.set(v.id, v.weights ? { kind: 'dense', weights: v.weights } : { kind: 'pca', pca: res.pca });
    const { cols } = gridShape(code);
    const filters = await sample(rt, `lab-${v.id}-filters.png`, tileGrid(filterTiles(v.filters, patch, code), patch, patch, cols, zoom));
    const reconstructions = await sample(rt, `lab-${v.id}-reconstructions.png`, strip(v.reconstructions));
    const denoised = await sample(rt, `lab-${v.id}-denoised.png`, strip(v.denoised));
    reports.push({
      id: v.id, label: v.label, activation: v.activation, ...(v.lambda !== undefined ? { lambda: v.lambda } : {}), ...(v.rho !== undefined ? { rho: v.rho } : {}),
      steps: v.steps, seconds: v.seconds, mse: v.mse, psnr: v.psnr, nearZero: v.nearZero, meanActivation: v.meanActivation,
      jacobian: v.jacobian, denoisePsnr: v.denoisePsnr, ...(v.target ? { target: v.target } : {}), curve: v.curve,
      filters, reconstructions, denoised,
    });
  }
  labRuns.set(lab, { patch, scale: res.contrastScale, models });
  while (labRuns.size > KEEP_RUNS) labRuns.delete(labRuns.keys().next().value!);
  const clean = await sample(rt, 'lab-samples-clean.png', strip(res.samples.clean));
  const noisy = await sample(rt, 'lab-samples-noisy.png', strip(res.samples.noisy));
  return {
    type: 'lab-compare', lab, data, patch, code, trainPatches: res.trainPatches, testPatches: res.testPatches, noiseSigma: res.noiseSigma,
    noisyPsnr: res.noisyPsnr, samples: { clean, noisy, count: res.samples.count }, variants: reports,
    ...(res.matched ? { matched: res.matched } : {}), seconds: seconds(t0),
  };
}

export async function runLabCodesJob(spec: LabCodesJob, rt: LabRuntime): Promise<LabCodesResult> {
  const run = labRuns.get(spec.lab);
  if (!run) throw new EngineError('not-found', 'That lab run is gone (the engine restarted or newer runs replaced it): run Compare again');
  const model = run.models.get(spec.variant);
  if (!model) throw new EngineError('not-found', `The lab run has no "${String(spec.variant)}" model`);
  const { stored, image } = await rt.ws.decode(spec.image);
  const m = codeMaps(model, image.raster, run.patch, run.scale);
  const { cols } = gridShape(m.code, 8);
  const zoom = Math.max(1, Math.round(96 / Math.max(m.cols, m.rows)));
  const stem = stored.info.name.replace(/\.[^.]*$/, '');
  const input = await sample(rt, `${stem}-lab-grey.png`, m.input);
  const maps = await sample(rt, `${stem}-lab-${spec.variant}-codes.png`, tileGrid(codeMapTiles(m.maps, m.code, m.rows, m.cols), m.cols, m.rows, cols, zoom));
  const reconstruction = await sample(rt, `${stem}-lab-${spec.variant}-rebuilt.png`, m.reconstruction);
  return {
    type: 'lab-codes', variant: spec.variant, input, maps, reconstruction, psnr: m.psnr, code: m.code, cols: m.cols, rows: m.rows,
    unitMeans: Array.from(m.unitMeans), nearZero: codeStats(m.maps).nearZero,
  };
}

// ---- Dust and hot pixels over a shoot ------------------------------------------------------

export async function runDustJob(spec: DustJob, rt: LabRuntime): Promise<DustResult> {
  const t0 = performance.now();
  const images = spec.images ?? [];
  const files = await filesOf(spec.paths ?? [], rt, 'Shoot');
  const frames: FrameSource[] = [
    ...files.map((f) => ({ name: path.basename(f), read: async () => (await readImage(f)).raster })),
    ...images.map((id) => ({ name: id, read: async () => (await rt.ws.decode(id)).image.raster })),
  ];
  if (frames.length < 2) throw new EngineError('usage', 'Choose a folder (or images) with at least 2 frames of the same shoot');
  const res = await findShootDefects(frames, {
    signal: rt.signal, onEvent: rt.emit,
    ...(spec.sensitivity !== undefined ? { sensitivity: spec.sensitivity } : {}),
    ...(spec.darkening !== undefined ? { darkening: spec.darkening } : {}),
  });
  const { mapWidth: w, mapHeight: h } = res;
  const heat = new Float32Array(w * h * 3);
  const alpha = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = heatColour(res.heat[i]!);
    heat.set([r, g, b], i * 3);
    // Fades in from 70% of the threshold (heat 0.5): only what is nearly a defect shows over the photo.
    alpha[i] = Math.min(1, Math.max(0, (res.heat[i]! - 0.35) / 0.25));
  }
  const mean = await sample(rt, 'shoot-mean.png', { width: w, height: h, channels: 1, data: res.mean });
  const heatmap = await rt.ws.addResult({ name: 'shoot-defects-heatmap.png', role: 'heatmap', parent: mean.id, raster: { width: w, height: h, channels: 3, data: heat }, alpha, bitDepth: 8 });
  const mask = await rt.ws.addMask('shoot-dust-mask.png', undefined, res.mask, res.width, res.height);
  let masked = 0;
  for (const v of res.mask) masked += v;
  // Workspace frames are named by their ids above; report them by their names.
  const names = new Map<string, string>();
  for (const id of images) names.set(id, (await rt.ws.info(id)).name);
  return {
    type: 'dust', frames: res.frames, skipped: res.skipped.map((s) => ({ name: names.get(s.name) ?? s.name, reason: s.reason })),
    width: res.width, height: res.height, mean, heatmap, mask, spots: res.spots, maskedPixels: masked, seconds: seconds(t0),
  };
}

// ---- Similar images --------------------------------------------------------------------------

const WORKSPACE_INDEX = 'workspace';

/** The folder of links to workspace images that a workspace index covers, and its index file. */
function workspaceIndexPaths(rt: LabRuntime): { folder: string; file: string } {
  return { folder: path.join(rt.ws.dir, 'similar', 'images'), file: path.join(rt.ws.dir, 'similar', 'index.json') };
}

/** Links (or copies) the chosen workspace images into the index folder as <id>.<ext>; removes others. */
async function linkWorkspaceImages(ids: ImageId[], rt: LabRuntime): Promise<string> {
  const { folder } = workspaceIndexPaths(rt);
  await mkdir(folder, { recursive: true });
  const want = new Map<string, string>();
  for (const id of ids) {
    const file = await rt.ws.pixelFile(id);
    want.set(`${id}${path.extname(file) || '.png'}`, file);
  }
  for (const name of await readdir(folder)) if (!want.has(name)) await rm(path.join(folder, name), { force: true });
  for (const [name, file] of want) {
    const target = path.join(folder, name);
    if (await stat(target).catch(() => undefined)) continue;
    await symlink(file, target).catch(() => copyFile(file, target));
  }
  return folder;
}

async function itemsOf(index: SimilarIndex, workspace: boolean, rt: LabRuntime): Promise<Map<string, SimilarItem>> {
  const xy = new Map(projectCodes(index).map((p) => [p.path, p]));
  const items = new Map<string, SimilarItem>();
  for (const e of index.entries) {
    const id = e.path.replace(/\.[^.]*$/, '');
    const name = workspace ? await rt.ws.info(id).then((i) => i.name, () => e.path) : path.posix.basename(e.path);
    const p = xy.get(e.path);
    items.set(e.path, {
      key: e.path, name, ...(workspace ? { image: id } : { path: path.join(index.folder, ...e.path.split('/')) }),
      thumb: `data:image/jpeg;base64,${e.preview}`, width: e.width, height: e.height, x: p?.x ?? 0, y: p?.y ?? 0,
    });
  }
  return items;
}

export async function runSimilarIndexJob(spec: SimilarIndexJob, rt: LabRuntime): Promise<SimilarIndexResult> {
  const images = spec.images ?? [];
  const distance = spec.groupDistance ?? DEFAULT_GROUP_DISTANCE;
  const opts: IndexOptions = { signal: rt.signal, onEvent: rt.emit, retrain: spec.retrain === true };
  let folder: string;
  let workspace = false;
  if (spec.path) {
    if (images.length) throw new EngineError('usage', 'Index either a folder or loaded images, not both');
    folder = await resolveUnderRoots(spec.path, rt.roots, 'Folder');
  } else {
    if (images.length < 2) throw new EngineError('usage', 'Choose a folder, or at least 2 loaded images, to index');
    folder = await linkWorkspaceImages(images, rt);
    opts.indexFile = workspaceIndexPaths(rt).file;
    workspace = true;
  }
  const rep = await indexFolder(folder, opts);
  const items = await itemsOf(rep.index, workspace, rt);
  return {
    type: 'similar-index', index: workspace ? WORKSPACE_INDEX : rep.index.folder, items: [...items.values()],
    groups: nearDuplicateGroups(rep.index, distance), decoded: rep.decoded, reused: rep.reused, removed: rep.removed,
    retrained: rep.retrained, failed: rep.failed, seconds: rep.seconds,
  };
}

export async function runSimilarFindJob(spec: SimilarFindJob, rt: LabRuntime): Promise<SimilarFindResult> {
  const workspace = spec.index === WORKSPACE_INDEX;
  const indexFile = workspace ? workspaceIndexPaths(rt).file : await defaultIndexFile(await resolveUnderRoots(spec.index, rt.roots, 'Indexed folder'));
  const index = await loadIndex(indexFile);
  if (!index?.encoder) throw new EngineError('not-found', 'That folder is not indexed yet: index it first');
  const k = spec.k ?? 8;
  let code: Float32Array;
  let query: SimilarFindResult['query'];
  let exclude: string | undefined;
  const items = await itemsOf(index, workspace, rt);
  if (spec.key !== undefined) {
    const entry: IndexEntry | undefined = index.entries.find((e) => e.path === spec.key);
    if (!entry?.code) throw new EngineError('not-found', `${String(spec.key)} is not in the index`);
    code = storedCode(entry)!;
    const item = items.get(entry.path)!;
    query = { name: item.name, thumb: item.thumb, key: entry.path };
    exclude = entry.path;
  } else if (spec.image !== undefined) {
    const { stored } = await rt.ws.decode(spec.image);
    const { thumb, preview } = await thumbnailOf(await rt.ws.pixelFile(spec.image));
    code = codeOfThumb(index, thumb);
    query = { name: stored.info.name, thumb: `data:image/jpeg;base64,${preview.toString('base64')}` };
    if (workspace) exclude = index.entries.find((e) => e.path.startsWith(`${spec.image}.`))?.path;
  } else if (spec.path !== undefined) {
    const file = await resolveUnderRoots(spec.path, rt.roots, 'Image');
    const r = await codeOfFile(index, file);
    code = r.code;
    query = { name: path.basename(file), ...(r.entry ? { key: r.entry.path, thumb: items.get(r.entry.path)?.thumb } : {}) };
    exclude = r.entry?.path;
  } else {
    throw new EngineError('usage', 'Say what to find similar images to: an indexed image, a loaded image or a file');
  }
  const matches = nearest(index, code, k, exclude).map((m) => ({ ...items.get(m.path)!, distance: m.distance }));
  return { type: 'similar-find', query, matches };
}
