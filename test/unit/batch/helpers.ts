// Shared by the batch tests: tiny model folders (fast), small generated photos, output listings.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { buildModel, flopsPerPixel, type ArchSpec } from '../../../src-main/core/models/architectures.js';
import type { ModelCard } from '../../../src-main/core/models/card.js';
import { saveModelFolder } from '../../../src-main/core/models/store.js';
import { naturalImage } from '../../helpers/synthetic.js';

/** Saves an untrained residual model (a few hundred parameters) as a model folder; returns the folder. */
export async function makeTinyModel(
  dir: string,
  opts: { task?: 'denoise' | 'inpaint'; channels?: number; width?: number; depth?: number; id?: string } = {},
): Promise<string> {
  const task = opts.task ?? 'denoise';
  const spec: ArchSpec = {
    kind: 'residual',
    channels: opts.channels ?? 3,
    width: opts.width ?? 4,
    depth: opts.depth ?? 3,
    codeActivation: 'linear',
    conditioning: task === 'inpaint' ? 'mask' : 'noise-map',
  };
  const model = buildModel(spec);
  const card: ModelCard = {
    id: opts.id ?? `tiny-${task}`,
    name: `Tiny ${task}`,
    description: 'An untrained model for the batch tests',
    task,
    channels: spec.channels,
    arch: spec,
    sigmaRange: [0, 75],
    flopsPerPixel: flopsPerPixel(model),
    params: model.countParams(),
    created: '2024-01-01T00:00:00.000Z',
  };
  await saveModelFolder(dir, model, card);
  model.dispose();
  return dir;
}

/** An 8-bit photo-like image file; the format follows the extension. Optional EXIF Artist. */
export async function writePhoto(file: string, width: number, height: number, seed: number, artist?: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const r = naturalImage(width, height, 3, seed);
  const bytes = Buffer.alloc(r.data.length);
  for (let i = 0; i < r.data.length; i++) bytes[i] = Math.round(r.data[i] * 255);
  let s = sharp(bytes, { raw: { width, height, channels: 3 } });
  if (artist) s = s.withExif({ IFD0: { Artist: artist } });
  const ext = path.extname(file).toLowerCase();
  s = ext === '.png' ? s.png() : ext === '.webp' ? s.webp({ quality: 90 }) : ext === '.tif' || ext === '.tiff' ? s.tiff() : s.jpeg({ quality: 90 });
  await s.toFile(file);
}

/** Every file under `dir` (relative, '/' separators), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}
