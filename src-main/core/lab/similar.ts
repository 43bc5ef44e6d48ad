/**
 * Similar-image search by autoencoder codes (`mend similar`): the information-retrieval use of
 * the bottleneck (docs/models-and-benchmarks.md, "The autoencoder lab"). Every image of a
 * folder becomes a small thumbnail; an autoencoder trained on the folder's thumbnails
 * compresses each one to a short code, and images whose codes point the same way look alike.
 *
 * The autoencoder is a denoising one whose "noise" is what makes near-duplicates differ: its
 * input is a thumbnail re-cropped, shifted, brightened or darkened and grainy, its target the
 * thumbnail itself, so the code learns to ignore exactly those edits (a burst, a re-crop, an
 * exposure bracket). Inputs are normalised (mean removed, unit norm), which already takes away
 * most of an exposure change.
 *
 * The index is incremental and cached: one JSON file per folder (in the user's cache folder)
 * holds each file's thumbnail and code keyed by path, size and modification time, and the
 * encoder's weights. Re-indexing decodes only new or changed files; the encoder is retrained
 * (and every code recomputed from the cached thumbnails, no decoding) only when the folder has
 * grown or shrunk by a quarter since it was trained.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { Rng } from '../math/rng.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { listImages } from '../train/dataset.js';
import { DenseAutoencoder, type DenseWeights } from './dense-ae.js';
import { fitPca, pcaEncode } from './pca.js';

/** Stored thumbnail side (RGB, 8 bits). */
export const THUMB = 32;
/** Side of the normalised thumbnail the encoder reads. */
export const DESC = 24;
const DESC_DIM = DESC * DESC * 3;
export const CODE_SIZE = 32;
const INDEX_VERSION = 1;

export interface IndexEntry {
  /** Path relative to the indexed folder (forward slashes). */
  path: string;
  size: number;
  mtimeMs: number;
  width: number;
  height: number;
  /** THUMB x THUMB x 3 bytes, base64. */
  thumb: string;
  /** A small JPEG (PREVIEW px), base64, for showing the image. */
  preview: string;
  /** Float32 code, base64 (unit length). */
  code?: string;
}

interface StoredWeights {
  code: number;
  activation: 'linear' | 'sigmoid' | 'relu';
  encoder: string;
  encoderBias: string;
  decoder: string;
  decoderBias: string;
}

export interface SimilarIndex {
  version: number;
  /** The folder, absolute. */
  folder: string;
  updated: string;
  encoder?: StoredWeights & { trainedOn: number; steps: number };
  entries: IndexEntry[];
}

export interface IndexOptions extends JobContext {
  /** Where the index file lives (default: the user's cache folder, one file per folder). */
  indexFile?: string;
  /** Retrain the encoder even if the folder has hardly changed. */
  retrain?: boolean;
  /** Training steps (default from the folder size). */
  steps?: number;
  seed?: number;
}

export interface IndexReport {
  index: SimilarIndex;
  indexFile: string;
  /** Files decoded this time (new or changed). */
  decoded: number;
  /** Files taken from the cache unchanged. */
  reused: number;
  removed: number;
  failed: { path: string; reason: string }[];
  retrained: boolean;
  seconds: number;
}

export interface Match {
  path: string;
  /** Cosine distance of the codes (0 = same direction, 2 = opposite). */
  distance: number;
}

const f32ToB64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function b64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** The per-user cache folder: MEND_CACHE_DIR, else the platform's. */
export function cacheDir(): string {
  if (process.env.MEND_CACHE_DIR) return path.resolve(process.env.MEND_CACHE_DIR);
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'mend', 'cache');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'mend');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mend');
}

/** The default index file of a folder (by its real path, so two spellings share one). */
export async function defaultIndexFile(folder: string): Promise<string> {
  const real = await realpath(folder).catch(() => path.resolve(folder));
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  return path.join(cacheDir(), 'similar', `${hash}.json`);
}

/** Longest side of the preview JPEG kept for display. */
export const PREVIEW = 96;

/**
 * One decode per file: a PREVIEW-sized JPEG for showing it, and from that the THUMB x THUMB RGB
 * thumbnail the encoder reads (EXIF-oriented, stretched to square).
 */
export async function thumbnailOf(file: string): Promise<{ thumb: Uint8Array; preview: Buffer; width: number; height: number }> {
  try {
    const img = sharp(file, { failOn: 'error' }).rotate();
    const meta = await img.metadata();
    const small = await img
      .resize(2 * PREVIEW, 2 * PREVIEW, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .png({ compressionLevel: 1 })
      .toBuffer();
    const { data } = await sharp(small).resize(THUMB, THUMB, { fit: 'fill', kernel: 'lanczos3' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const preview = await sharp(small).resize(PREVIEW, PREVIEW, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 72 }).toBuffer();
    const swap = (meta.orientation ?? 1) >= 5;
    return { thumb: new Uint8Array(data), preview, width: (swap ? meta.height : meta.width) ?? 0, height: (swap ? meta.width : meta.height) ?? 0 };
  } catch (e) {
    throw new MendError('not-an-image', `${path.basename(file)}: cannot read it as an image (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}

/** Bilinear sample of the thumbnail at (x, y) in thumbnail pixels, channel c. */
function sample(t: Uint8Array, x: number, y: number, c: number): number {
  const cx = Math.min(THUMB - 1, Math.max(0, x));
  const cy = Math.min(THUMB - 1, Math.max(0, y));
  const x0 = Math.min(THUMB - 2, Math.floor(cx));
  const y0 = Math.min(THUMB - 2, Math.floor(cy));
  const tx = cx - x0;
  const ty = cy - y0;
  const at = (xx: number, yy: number): number => t[(yy * THUMB + xx) * 3 + c]!;
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) + (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

/**
 * The encoder's input: the window (x0, y0, side) of the thumbnail resampled to DESC x DESC,
 * times `gain`, plus noise, then mean removed and scaled to unit length.
 */
export function descriptor(t: Uint8Array, out: Float32Array, view = { x0: 0, y0: 0, side: THUMB }, gain = 1, noise = 0, rng?: Rng): Float32Array {
  const scale = view.side / DESC;
  let k = 0;
  let mean = 0;
  for (let y = 0; y < DESC; y++) {
    for (let x = 0; x < DESC; x++) {
      const sx = view.x0 + (x + 0.5) * scale - 0.5;
      const sy = view.y0 + (y + 0.5) * scale - 0.5;
      for (let c = 0; c < 3; c++) {
        let v = Math.min(255, sample(t, sx, sy, c) * gain) / 255;
        if (noise && rng) v += noise * rng.normal();
        out[k++] = v;
        mean += v;
      }
    }
  }
  mean /= DESC_DIM;
  let norm = 0;
  for (let i = 0; i < DESC_DIM; i++) {
    out[i] = out[i]! - mean;
    norm += out[i]! * out[i]!;
  }
  // A flat image has no direction: leave it near zero rather than blow up its noise.
  const inv = 1 / Math.max(Math.sqrt(norm), 1e-3);
  for (let i = 0; i < DESC_DIM; i++) out[i] = out[i]! * inv * Math.sqrt(DESC_DIM);
  return out;
}

/** A random near-duplicate edit of a thumbnail, as the denoising autoencoder's corruption. */
export function editedDescriptor(t: Uint8Array, out: Float32Array, rng: Rng): Float32Array {
  const side = THUMB * rng.uniform(0.78, 1);
  const slack = THUMB - side;
  const x0 = rng.uniform(0, slack);
  const y0 = rng.uniform(0, slack);
  const gain = Math.exp(rng.uniform(-0.45, 0.45));
  return descriptor(t, out, { x0, y0, side }, gain, rng.uniform(0, 0.06), rng);
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = 1 / Math.max(Math.sqrt(n), 1e-12);
  return v.map((x) => x * inv);
}

function toStored(w: DenseWeights): StoredWeights {
  return {
    code: w.spec.code, activation: w.spec.activation, encoder: f32ToB64(w.encoder), encoderBias: f32ToB64(w.encoderBias),
    decoder: f32ToB64(w.decoder), decoderBias: f32ToB64(w.decoderBias),
  };
}

function fromStored(s: StoredWeights): DenseWeights {
  return {
    spec: { dim: DESC_DIM, code: s.code, activation: s.activation }, encoder: b64ToF32(s.encoder), encoderBias: b64ToF32(s.encoderBias),
    decoder: b64ToF32(s.decoder), decoderBias: b64ToF32(s.decoderBias),
  };
}

const thumbOf = (e: IndexEntry): Uint8Array => new Uint8Array(Buffer.from(e.thumb, 'base64'));

/** Trains the folder's encoder: a denoising autoencoder whose corruption is a near-duplicate edit. */
async function trainEncoder(thumbs: Uint8Array[], o: IndexOptions): Promise<{ weights: DenseWeights; steps: number }> {
  const n = thumbs.length;
  const x = new Float32Array(n * DESC_DIM);
  thumbs.forEach((t, i) => descriptor(t, x.subarray(i * DESC_DIM, (i + 1) * DESC_DIM)));
  const ae = new DenseAutoencoder({ dim: DESC_DIM, code: CODE_SIZE, activation: 'linear' }, o.seed ?? 1);
  const steps = o.steps ?? Math.min(600, 200 + 4 * n);
  try {
    await ae.train({
      x, n, regularizer: { kind: 'none' }, steps, batch: 32, learningRate: 2e-3, seed: (o.seed ?? 1) + 5, signal: o.signal,
      reportEvery: 20,
      corrupt: (i, _clean, input, rng) => editedDescriptor(thumbs[i]!, input, rng),
      onReport: (step, loss) => o.onEvent?.({ type: 'progress', stage: 'similar-train', done: step, total: steps, detail: 'training the encoder', metrics: { loss } }),
    });
    return { weights: ae.weights(), steps };
  } finally {
    ae.dispose();
  }
}

/** Codes (unit length) of thumbnails with the given encoder weights. */
export function encodeThumbs(weights: DenseWeights, thumbs: Uint8Array[]): Float32Array[] {
  if (thumbs.length === 0) return [];
  const ae = new DenseAutoencoder(weights.spec, 1, weights);
  try {
    const x = new Float32Array(thumbs.length * DESC_DIM);
    thumbs.forEach((t, i) => descriptor(t, x.subarray(i * DESC_DIM, (i + 1) * DESC_DIM)));
    const h = ae.encode(x, thumbs.length);
    const k = weights.spec.code;
    return thumbs.map((_, i) => unit(h.slice(i * k, (i + 1) * k)));
  } finally {
    ae.dispose();
  }
}

export async function loadIndex(file: string): Promise<SimilarIndex | undefined> {
  try {
    const idx = JSON.parse(await readFile(file, 'utf8')) as SimilarIndex;
    return idx.version === INDEX_VERSION && Array.isArray(idx.entries) ? idx : undefined;
  } catch {
    return undefined;
  }
}

const rel = (folder: string, file: string): string => path.relative(folder, file).split(path.sep).join('/');

/** Indexes (or updates the index of) a folder, recursively. */
export async function indexFolder(folder: string, o: IndexOptions = {}): Promise<IndexReport> {
  const t0 = performance.now();
  const st = await stat(folder).catch(() => undefined);
  if (!st?.isDirectory()) throw new MendError('not-found', `${folder}: folder not found`);
  const abs = await realpath(folder);
  const indexFile = o.indexFile ?? (await defaultIndexFile(abs));
  const old = await loadIndex(indexFile);
  const known = new Map((old?.folder === abs ? old.entries : []).map((e) => [e.path, e]));
  const files = await listImages(abs);
  const emit = o.onEvent ?? (() => undefined);
  const entries: IndexEntry[] = [];
  const failed: IndexReport['failed'] = [];
  let decoded = 0;
  let reused = 0;
  for (const [i, file] of files.entries()) {
    throwIfCancelled(o.signal);
    const key = rel(abs, file);
    const s = await stat(file).catch(() => undefined);
    if (!s) continue;
    const prev = known.get(key);
    if (prev && prev.size === s.size && prev.mtimeMs === s.mtimeMs) {
      entries.push(prev);
      reused++;
    } else {
      emit({ type: 'progress', stage: 'similar-index', done: i, total: files.length, detail: key });
      try {
        const t = await thumbnailOf(file);
        entries.push({
          path: key, size: s.size, mtimeMs: s.mtimeMs, width: t.width, height: t.height,
          thumb: Buffer.from(t.thumb).toString('base64'), preview: t.preview.toString('base64'),
        });
        decoded++;
      } catch (e) {
        failed.push({ path: key, reason: (e as Error).message });
        emit({ type: 'log', level: 'warn', message: `Skipped ${key}: ${(e as Error).message}` });
      }
      await yieldToEventLoop();
    }
  }
  emit({ type: 'progress', stage: 'similar-index', done: files.length, total: files.length });
  const current = new Set(entries.map((e) => e.path));
  const removed = [...known.keys()].filter((k) => !current.has(k)).length;

  let encoder = old?.folder === abs ? old.encoder : undefined;
  const n = entries.length;
  const drift = encoder ? Math.abs(n - encoder.trainedOn) / Math.max(1, encoder.trainedOn) : Infinity;
  const retrain = n >= 2 && (o.retrain || !encoder || (drift > 0.25 && Math.abs(n - encoder.trainedOn) >= 4));
  if (retrain) {
    const { weights, steps } = await trainEncoder(entries.map(thumbOf), o);
    encoder = { ...toStored(weights), trainedOn: n, steps };
    for (const e of entries) delete e.code;
  }
  if (encoder) {
    const missing = entries.filter((e) => !e.code);
    const codes = encodeThumbs(fromStored(encoder), missing.map(thumbOf));
    missing.forEach((e, i) => (e.code = f32ToB64(codes[i]!)));
  }
  const index: SimilarIndex = { version: INDEX_VERSION, folder: abs, updated: new Date().toISOString(), ...(encoder ? { encoder } : {}), entries };
  await mkdir(path.dirname(indexFile), { recursive: true });
  await writeFileAtomic(indexFile, Buffer.from(JSON.stringify(index)));
  return { index, indexFile, decoded, reused, removed, failed, retrained: retrain, seconds: (performance.now() - t0) / 1000 };
}

function codesOf(index: SimilarIndex): Float32Array[] {
  return index.entries.map((e) => (e.code ? b64ToF32(e.code) : new Float32Array(index.encoder?.code ?? CODE_SIZE)));
}

const cosineDistance = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return 1 - s;
};

/** The code of any image file with the index's encoder (the cached one if the file is indexed and unchanged). */
export async function codeOfFile(index: SimilarIndex, file: string): Promise<{ code: Float32Array; entry?: IndexEntry }> {
  if (!index.encoder) throw new MendError('usage', 'The index has no encoder yet: a folder needs at least 2 images');
  const abs = path.resolve(file);
  const real = await realpath(abs).catch(() => abs);
  const key = rel(index.folder, real);
  const entry = !key.startsWith('..') ? index.entries.find((e) => e.path === key) : undefined;
  if (entry?.code) {
    const s = await stat(real).catch(() => undefined);
    if (s && s.size === entry.size && s.mtimeMs === entry.mtimeMs) return { code: b64ToF32(entry.code), entry };
  }
  const { thumb } = await thumbnailOf(real);
  return { code: codeOfThumb(index, thumb), ...(entry ? { entry } : {}) };
}

/** The code of a thumbnail (thumbnailOf) with the index's encoder. */
export function codeOfThumb(index: SimilarIndex, thumb: Uint8Array): Float32Array {
  if (!index.encoder) throw new MendError('usage', 'The index has no encoder yet: a folder needs at least 2 images');
  return encodeThumbs(fromStored(index.encoder), [thumb])[0]!;
}

/** An indexed image's stored code. */
export function storedCode(entry: IndexEntry): Float32Array | undefined {
  return entry.code ? b64ToF32(entry.code) : undefined;
}

/** The k nearest indexed images to a code (excluding `exclude`, e.g. the query itself). */
export function nearest(index: SimilarIndex, code: Float32Array, k: number, exclude?: string): Match[] {
  const codes = codesOf(index);
  return index.entries
    .map((e, i) => ({ path: e.path, distance: cosineDistance(code, codes[i]!) }))
    .filter((m) => m.path !== exclude)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

/** Near-duplicate groups (bursts): images linked by a code distance below the threshold. */
export function nearDuplicateGroups(index: SimilarIndex, threshold = DEFAULT_GROUP_DISTANCE): string[][] {
  const codes = codesOf(index);
  const n = codes.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (cosineDistance(codes[a]!, codes[b]!) <= threshold) parent[find(a)] = find(b);
    }
  }
  const groups = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), index.entries[i]!.path]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/**
 * Codes of near-duplicates (crops to 85%, shifts, exposure changes, grain) measured within ~0.1
 * of each other on generated folders, different scenes beyond ~0.15.
 */
export const DEFAULT_GROUP_DISTANCE = 0.12;

/** A 2-D map of the folder: the codes projected on their two principal components. */
export function projectCodes(index: SimilarIndex): { path: string; x: number; y: number }[] {
  const codes = codesOf(index);
  const n = codes.length;
  if (n === 0) return [];
  const k = codes[0]!.length;
  const flat = new Float32Array(n * k);
  codes.forEach((c, i) => flat.set(c, i * k));
  if (n < 3) return index.entries.map((e, i) => ({ path: e.path, x: i, y: 0 }));
  const pca = fitPca(flat, n, k, 2);
  const xy = pcaEncode(pca, flat, n);
  return index.entries.map((e, i) => ({ path: e.path, x: xy[2 * i]!, y: xy[2 * i + 1]! }));
}
