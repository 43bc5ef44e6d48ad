/**
 * An inpaint batch's masks: one file for every image (`--mask`), or a folder matched by file stem
 * (`--masks`: the mirrored sub-folder first, then a unique stem anywhere). Hashes (part of the
 * journal's settings) and decoded masks are cached; per-file masks are dropped after use.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import { formatFromPath } from '../image/formats.js';
import { readMask } from '../image/io.js';
import { hashFile } from './journal.js';
import type { PlanItem } from './plan.js';

interface MaskIndex {
  byRel: Map<string, string>;
  byStem: Map<string, string[]>;
}

/** Masks folder index: `sub/stem` and `stem` (lower case) to mask files. */
async function indexMasks(dir: string): Promise<MaskIndex> {
  const byRel = new Map<string, string>();
  const byStem = new Map<string, string[]>();
  const walk = async (d: string, rel: string[]): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const full = path.join(d, name);
      const st = await stat(full).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) await walk(full, [...rel, name]);
      else if (st.isFile() && formatFromPath(name)) {
        const stem = name.slice(0, name.length - path.extname(name).length).toLowerCase();
        byRel.set([...rel, stem].join('/'), full);
        byStem.set(stem, [...(byStem.get(stem) ?? []), full]);
      }
    }
  };
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new MendError('not-found', `Masks folder not found: ${dir}`);
  }
  await walk(dir, []);
  return { byRel, byStem };
}

export class BatchMasks {
  private index: MaskIndex | undefined;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(private readonly options: { mask?: string; masks?: string }) {}

  /** Checks the mask file exists, or indexes the masks folder; throws a user-readable error. */
  async load(): Promise<void> {
    const o = this.options;
    if (o.mask && !(await stat(o.mask).then((s) => s.isFile(), () => false))) throw new MendError('not-found', `Mask file not found: ${o.mask}`);
    if (o.masks) this.index = await indexMasks(path.resolve(o.masks));
  }

  pathFor(item: PlanItem): string {
    if (this.options.mask) return path.resolve(this.options.mask);
    const masks = this.options.masks!;
    const idx = this.index!;
    const display = item.display;
    const stem = path.posix.basename(display, path.posix.extname(display)).toLowerCase();
    const dir = path.posix.dirname(display);
    const rel = (dir === '.' ? stem : `${dir.toLowerCase()}/${stem}`);
    const exact = idx.byRel.get(rel);
    if (exact) return exact;
    const any = idx.byStem.get(stem) ?? [];
    if (any.length === 1) return any[0];
    if (any.length > 1) throw new MendError('usage', `Several masks named "${stem}" in ${masks}: ${any.map((a) => path.relative(masks, a)).join(', ')}`);
    throw new MendError('not-found', `No mask for ${display} in ${masks} (masks are matched by file name without extension)`);
  }

  hash(file: string): Promise<string> {
    let p = this.hashes.get(file);
    if (!p) {
      p = hashFile(file).then((h) => h.hash);
      this.hashes.set(file, p);
      p.catch(() => this.hashes.delete(file));
    }
    return p;
  }

  read(file: string, width: number, height: number): Promise<Uint8Array> {
    const key = `${file}\n${width}x${height}`;
    let p = this.cache.get(key);
    if (!p) {
      p = readMask(file, width, height);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
      // Per-file masks are used once: do not keep them.
      if (this.options.masks) p.finally(() => this.cache.delete(key)).catch(() => undefined);
    }
    return p;
  }
}
