/**
 * Batch planning: turns `mend batch IN...` arguments into a list of (input, output) pairs.
 *
 *  - Inputs are files and folders in any mix. A folder contributes its images; with `recursive`
 *    its sub-folders too, and the tree is mirrored under OUTDIR. Top-level files go to OUTDIR.
 *  - Files that are not images (sidecars, desktop.ini, .DS_Store, videos, GIFs) are
 *    skipped and listed with a reason; they never stop the batch. A file without an extension
 *    is kept when its first bytes are those of an image Mend reads.
 *  - Symbolic links inside a folder are followed only when they resolve inside one of the
 *    input roots (no escaping a shoot folder through a link), and folder loops are cut.
 *  - OUTDIR (and the masks folder) are never read as inputs when they lie inside an input root.
 *  - Every output path is made of sanitized components (no `..`, no separators, no drive
 *    letters, no control characters; Unicode kept) and is checked to lie inside OUTDIR.
 *  - Collisions (a.jpg and a.png both written as PNG, A.jpg and a.jpg on a case-insensitive
 *    disk, an input file inside OUTDIR) get distinct names `a-2.png`, `a-3.png`, ...; the
 *    assignment is deterministic (sorted order) and prefers the output a journal recorded for
 *    that input, so a resumed batch writes to the same files.
 *  - Image sizes come from the file headers (sharp metadata, no decoding) so the ETA can be
 *    weighted by pixels.
 */
import { open, lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { MendError } from '../../shared/errors.js';
import { TEMP_MARKER } from '../image/atomic-write.js';
import { extensionFor, formatFromPath, sniffFormat, type ImageFormat } from '../image/formats.js';

export interface PlanItem {
  /** Position in the plan (0-based), the order files are processed in. */
  index: number;
  /** The input file as found (absolute; may be a link inside a root). */
  input: string;
  /** Where it is shown from: path relative to its root folder (or its file name), with '/' separators. */
  display: string;
  /** Absolute output path, inside OUTDIR. */
  output: string;
  /** Output path relative to OUTDIR, '/' separators (what the journal records). */
  outputRel: string;
  /** Format of the input (from its extension or first bytes). */
  inputFormat: ImageFormat;
  /** Format that will be written ('dng': a camera RAW file's linear DNG). */
  outputFormat: BatchOutputFormat;
  /** A camera RAW file (its extension, e.g. 'dng', 'cr2'): denoised in the raw domain (core/raw). */
  raw?: string;
  /** Size from the header (after EXIF orientation); 0 when the header could not be read. */
  width: number;
  height: number;
  /** 1 (grey) or 3 (colour), as readImage will decode it. */
  channels: 1 | 3;
  /** Why the header could not be read (the file is still tried, and then fails with the reason). */
  headerError?: string;
}

export type BatchOutputFormat = ImageFormat | 'dng';

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface BatchPlan {
  outDir: string;
  items: PlanItem[];
  /** Entries that are not processed: non-images, folders without --recursive, links out of the roots. */
  skipped: SkippedEntry[];
}

export interface PlanOptions {
  outDir: string;
  recursive?: boolean;
  /** Output format; 'same' (default) keeps each input's format. */
  format?: ImageFormat | 'same';
  /** Folders and files never read as inputs (the masks folder, the single mask). */
  exclude?: string[];
  /** Output (relative to OUTDIR) a journal recorded per input path: kept when still free. */
  preferredOutputs?: Map<string, string>;
  /** Parallel header reads (default 4). */
  headerConcurrency?: number;
}

// ---------------------------------------------------------------------------------------------
// Names

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const MAX_COMPONENT_BYTES = 200;

/** One file or folder name made safe on every common file system; Unicode letters are kept. */
export function sanitizeComponent(name: string): string {
  let s = name.normalize('NFC');
  // Separators, drive colons, characters Windows forbids, control characters.
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  s = s.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_');
  // Windows drops trailing dots and spaces; leading spaces confuse everyone.
  s = s.replace(/^[ ]+/, '').replace(/[. ]+$/, (m) => '_'.repeat(m.length));
  if (s === '') s = '_';
  if (/^\.+$/.test(s)) s = s.replace(/\./g, '_'); // '.', '..', '...'
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  if (Buffer.byteLength(s, 'utf8') > MAX_COMPONENT_BYTES) {
    const ext = path.extname(s).slice(0, 16);
    let stem = s.slice(0, s.length - ext.length);
    while (Buffer.byteLength(stem + ext, 'utf8') > MAX_COMPONENT_BYTES) stem = Array.from(stem).slice(0, -1).join('');
    s = stem + ext;
  }
  return s;
}

/**
 * A relative path (any separators, possibly hostile: `../x`, `/abs/y`, `C:\z`) turned into safe
 * components joined with '/'. The result never starts with '/', never contains '..' as a
 * component and is never empty, so joining it to OUTDIR stays inside OUTDIR.
 */
export function sanitizeRelativePath(rel: string): string {
  const parts = rel
    .split(/[\\/]+/)
    .filter((p) => p !== '' && p !== '.')
    .map((p, i) => (i === 0 && /^[A-Za-z]:$/.test(p) ? `${p[0]}_` : p)) // drive letter
    .map(sanitizeComponent);
  return parts.length > 0 ? parts.join('/') : '_';
}

/** `path.join(outDir, rel)`, refusing anything that would land outside outDir. */
export function resolveInside(outDir: string, rel: string): string {
  const base = path.resolve(outDir);
  const full = path.resolve(base, ...rel.split('/'));
  if (full === base || !full.startsWith(base + path.sep)) {
    throw new MendError('internal', `Refusing output path outside ${base}: ${rel}`);
  }
  return full;
}

/** True when `child` is `parent` or inside it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

// ---------------------------------------------------------------------------------------------
// Classification of files

const RAW_EXTENSIONS = new Set(['cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'raf', 'orf', 'rw2', 'pef', 'srw', 'x3f', 'erf', 'kdc', 'mrw', '3fr', 'iiq', 'rwl']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'mov', 'avi', 'mkv', 'mts', 'm2ts', 'm4v', 'wmv', '3gp', 'webm', 'mpg', 'mpeg']);
const SIDECAR_EXTENSIONS = new Set(['xmp', 'aae', 'thm', 'pp3', 'dop', 'on1', 'cos', 'lrv']);
const SYSTEM_NAMES = new Set(['desktop.ini', 'thumbs.db', '.ds_store', 'icon\r', '.localized']);

/** Why a file is not an input, or its format when it is one. */
async function classify(file: string, name: string): Promise<{ format: ImageFormat; raw?: string } | { reason: string }> {
  const lower = name.toLowerCase();
  if (SYSTEM_NAMES.has(lower)) return { reason: 'system file, not an image' };
  if (lower.startsWith('._')) return { reason: 'macOS resource fork, not an image' };
  if (name.includes(TEMP_MARKER)) return { reason: 'temporary file of an interrupted write' };
  const format = formatFromPath(name);
  if (format) return { format };
  const ext = path.extname(lower).slice(1);
  // Camera RAW: denoised in the raw domain (DNG by Mend's reader, the others by LibRaw); a
  // file LibRaw cannot read fails with the reason. 'tiff' only stands for the container here.
  if (RAW_EXTENSIONS.has(ext)) return { format: 'tiff', raw: ext };
  if (VIDEO_EXTENSIONS.has(ext)) return { reason: 'video, not an image' };
  if (SIDECAR_EXTENSIONS.has(ext)) return { reason: 'sidecar file, not an image' };
  if (ext === 'gif') return { reason: 'GIF images are not supported' };
  if (ext !== '') return { reason: `not an image (.${ext})` };
  // No extension (or a dot-file name): trust the first bytes.
  let head: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      head = Buffer.alloc(32);
      const { bytesRead } = await fh.read(head, 0, 32, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    return { reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const sniffed = sniffFormat(head);
  if (sniffed === 'other') return { reason: 'GIF images are not supported' };
  if (sniffed) return { format: sniffed };
  return { reason: 'not an image' };
}

// ---------------------------------------------------------------------------------------------
// Walking

interface Found {
  input: string;
  /** Components relative to the root (file name only for a top-level file). */
  rel: string[];
  /** 0 for top-level files, 1+ for each folder root (for sorting in argument order). */
  root: number;
  format: ImageFormat;
  raw?: string;
}

function toPosix(parts: string[]): string {
  return parts.join('/');
}

export async function planBatch(inputs: string[], opts: PlanOptions): Promise<BatchPlan> {
  if (inputs.length === 0) throw new MendError('usage', 'Give at least one input file or folder');
  const outDir = path.resolve(opts.outDir);
  const outReal = await realpathOrSelf(outDir);
  const exclude = await Promise.all((opts.exclude ?? []).map((e) => realpathOrSelf(path.resolve(e))));
  const skipped: SkippedEntry[] = [];
  const found: Found[] = [];

  // Roots: the real folders of every folder argument (links between roots are fine).
  const rootReals: string[] = [];
  const args: { abs: string; real: string; isDir: boolean }[] = [];
  for (const arg of inputs) {
    const abs = path.resolve(arg);
    let st;
    try {
      st = await stat(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MendError('not-found', code === 'EACCES' ? `Input ${arg} cannot be opened: permission denied` : `Input not found: ${arg}`);
    }
    const real = await realpath(abs);
    if (st.isDirectory()) {
      if (real === outReal) throw new MendError('usage', `The output folder ${opts.outDir} is also an input folder; choose another -o`);
      rootReals.push(real);
    }
    args.push({ abs, real, isDir: st.isDirectory() });
  }

  const visitedDirs = new Set<string>();
  const walk = async (dir: string, dirReal: string, rel: string[], root: number): Promise<void> => {
    if (visitedDirs.has(dirReal)) return;
    visitedDirs.add(dirReal);
    let names: string[];
    try {
      names = (await readdir(dir)).sort(compareNames);
    } catch (e) {
      skipped.push({ path: dir, reason: `folder cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      let lst;
      try {
        lst = await lstat(full);
      } catch {
        continue; // vanished while walking
      }
      let real = full;
      let st = lst;
      if (lst.isSymbolicLink()) {
        try {
          real = await realpath(full);
          st = await stat(real);
        } catch {
          skipped.push({ path: full, reason: 'broken symbolic link' });
          continue;
        }
        if (!rootReals.some((r) => isInside(r, real))) {
          skipped.push({ path: full, reason: 'symbolic link pointing outside the input folders (not followed)' });
          continue;
        }
      } else {
        real = path.join(dirReal, name);
      }
      if (st.isDirectory()) {
        if (real === outReal) {
          skipped.push({ path: full, reason: 'the output folder' });
          continue;
        }
        if (exclude.includes(real)) {
          skipped.push({ path: full, reason: 'the masks folder' });
          continue;
        }
        if (!opts.recursive) {
          skipped.push({ path: full, reason: 'sub-folder (use --recursive to include it)' });
          continue;
        }
        await walk(full, real, [...rel, name], root);
        continue;
      }
      if (!st.isFile()) {
        skipped.push({ path: full, reason: 'not a regular file' });
        continue;
      }
      if (exclude.includes(real)) {
        skipped.push({ path: full, reason: 'the mask' });
        continue;
      }
      const c = await classify(full, name);
      if ('reason' in c) skipped.push({ path: full, reason: c.reason });
      else found.push({ input: full, rel: [...rel, name], root, format: c.format, raw: c.raw });
    }
  };

  let rootNo = 0;
  for (const a of args) {
    if (a.isDir) {
      rootNo++;
      await walk(a.abs, a.real, [], rootNo);
    } else {
      const name = path.basename(a.abs);
      const c = await classify(a.abs, name);
      if ('reason' in c) skipped.push({ path: a.abs, reason: c.reason });
      else found.push({ input: a.abs, rel: [name], root: 0, format: c.format, raw: c.raw });
    }
  }

  // The same file named twice (a file argument inside a folder argument): once is enough.
  const seen = new Set<string>();
  const unique: Found[] = [];
  for (const f of found) {
    const key = path.resolve(f.input);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(f);
  }

  // Output names. Every input's own path is reserved, so no output can overwrite an input.
  const taken = new Set<string>();
  for (const f of unique) {
    const abs = await realpathOrSelf(f.input);
    if (isInside(outReal, abs)) taken.add(nameKey(path.relative(outReal, abs).split(path.sep).join('/')));
  }
  const wanted = unique.map((f) => {
    const outFormat: BatchOutputFormat = opts.format && opts.format !== 'same' ? opts.format : f.raw ? 'dng' : f.format;
    const dirParts = f.rel.slice(0, -1);
    const file = f.rel[f.rel.length - 1];
    const ext = path.extname(file);
    const ownExtOk = ext !== '' && (f.raw ? f.raw === 'dng' && outFormat === 'dng' : formatFromPath(file) === outFormat);
    const stem = ext !== '' && (f.raw || formatFromPath(file)) ? file.slice(0, -ext.length) : file;
    const outExt = ownExtOk ? ext.slice(1) : outFormat === 'dng' ? 'dng' : extensionFor(outFormat);
    const relDir = dirParts.length > 0 ? sanitizeRelativePath(toPosix(dirParts)) : '';
    return { f, outFormat, relDir, stem: sanitizeComponent(stem === '' ? '_' : stem), outExt };
  });
  const outputs: string[] = new Array(unique.length);
  // First: outputs a journal recorded for these inputs (stable names across runs).
  if (opts.preferredOutputs) {
    unique.forEach((f, i) => {
      const pref = opts.preferredOutputs!.get(path.resolve(f.input));
      if (!pref) return;
      const safe = sanitizeRelativePath(pref);
      const w = wanted[i];
      // Only when it still has the right folder and extension for the current settings.
      const dir = path.posix.dirname(safe) === '.' ? '' : path.posix.dirname(safe);
      if (safe !== pref || dir !== w.relDir || path.posix.extname(safe).slice(1).toLowerCase() !== w.outExt.toLowerCase()) return;
      if (taken.has(nameKey(safe))) return;
      taken.add(nameKey(safe));
      outputs[i] = safe;
    });
  }
  wanted.forEach((w, i) => {
    if (outputs[i]) return;
    const join = (n: string): string => (w.relDir ? `${w.relDir}/${n}` : n);
    let candidate = join(`${w.stem}.${w.outExt}`);
    for (let k = 2; taken.has(nameKey(candidate)); k++) candidate = join(`${w.stem}-${k}.${w.outExt}`);
    taken.add(nameKey(candidate));
    outputs[i] = candidate;
  });

  // Header sizes, a few at a time.
  // (A RAW file's TIFF header would give its preview's size: unknown until decoded, an average file for the ETA.)
  const headers = await mapLimit(unique, opts.headerConcurrency ?? 4, (f) => (f.raw ? Promise.resolve<Header>({ width: 0, height: 0, channels: 1 }) : readHeader(f.input)));
  const items: PlanItem[] = unique.map((f, i) => {
    const h = headers[i];
    const item: PlanItem = {
      index: i,
      input: path.resolve(f.input),
      display: toPosix(f.rel),
      output: resolveInside(outDir, outputs[i]),
      outputRel: outputs[i],
      inputFormat: f.format,
      outputFormat: wanted[i].outFormat,
      width: h.width,
      height: h.height,
      channels: h.channels,
    };
    if (h.error) item.headerError = h.error;
    if (unique[i].raw) item.raw = unique[i].raw;
    return item;
  });
  return { outDir, items, skipped };
}

/** Sorting that is the same everywhere (code points), so plans are reproducible. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Collision key: what a case-insensitive, normalizing file system would consider the same name. */
function nameKey(rel: string): string {
  return rel.normalize('NFC').toLowerCase();
}

/** realpath of `p`, or of its deepest existing parent plus the rest (for folders not made yet). */
export async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    // Not there yet (OUTDIR is created later): resolve the deepest existing parent.
    const parent = path.dirname(p);
    if (parent === p) return p;
    return path.join(await realpathOrSelf(parent), path.basename(p));
  }
}

interface Header {
  width: number;
  height: number;
  channels: 1 | 3;
  error?: string;
}

async function readHeader(file: string): Promise<Header> {
  try {
    const m = await sharp(file, { failOn: 'none' }).metadata();
    const width = m.autoOrient?.width ?? m.width ?? 0;
    const height = m.autoOrient?.height ?? m.height ?? 0;
    const channels = m.space === 'b-w' || m.space === 'grey16' ? 1 : 3;
    return { width, height, channels };
  } catch (e) {
    return { width: 0, height: 0, channels: 3, error: (e as Error).message.split('\n')[0] };
  }
}

export async function mapLimit<T, R>(list: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(list.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, list.length)) }, worker));
  return out;
}
