/**
 * Where models come from: the shipped models/ folder (registry.json names the defaults) and the
 * user's own models folder (trained or imported). `--model` takes an id from either, or a path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MendError } from '../../shared/errors.js';
import type { ModelCard, ModelTask } from './card.js';
import { loadModelFolder, readCard, type LoadedModel } from './store.js';

export interface RegistryFile {
  /** Default model id per task and image kind. */
  defaults: Partial<Record<ModelTask, { gray?: string; color?: string }>>;
  models: { id: string; path: string }[];
}

export interface ModelEntry {
  id: string;
  dir: string;
  card: ModelCard;
  source: 'shipped' | 'user';
}

/** The shipped models folder: MEND_MODELS, else models/ at the package root. */
export function shippedModelsDir(): string {
  if (process.env.MEND_MODELS) return path.resolve(process.env.MEND_MODELS);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'models', 'registry.json'))) return path.join(dir, 'models');
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('models');
    dir = parent;
  }
}

/** The user's models folder: MEND_USER_MODELS, else the platform's data folder. */
export function userModelsDir(): string {
  if (process.env.MEND_USER_MODELS) return path.resolve(process.env.MEND_USER_MODELS);
  const home = os.homedir();
  const base =
    process.platform === 'win32' ? (process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
    : process.platform === 'darwin' ? path.join(home, 'Library', 'Application Support')
    : (process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'));
  return path.join(base, 'Mend', 'models');
}

export function readRegistry(): RegistryFile {
  const file = path.join(shippedModelsDir(), 'registry.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RegistryFile;
  } catch {
    return { defaults: {}, models: [] };
  }
}

async function userEntries(): Promise<ModelEntry[]> {
  const dir = userModelsDir();
  if (!existsSync(dir)) return [];
  const out: ModelEntry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const folder = path.join(dir, name);
    if (!existsSync(path.join(folder, 'card.json'))) continue;
    try {
      out.push({ id: name, dir: folder, card: await readCard(folder), source: 'user' });
    } catch {
      // A broken user model must not hide the others; `mend info` lists what loads.
    }
  }
  return out;
}

export async function listModels(): Promise<ModelEntry[]> {
  const reg = readRegistry();
  const base = shippedModelsDir();
  const shipped: ModelEntry[] = [];
  for (const m of reg.models) {
    const dir = path.join(base, m.path);
    if (existsSync(path.join(dir, 'card.json'))) shipped.push({ id: m.id, dir, card: await readCard(dir), source: 'shipped' });
  }
  return [...shipped, ...(await userEntries())];
}

/** Channel counts (1 grey, 3 colour) of the images the registry uses `id` for as its `task` default. */
export function defaultChannels(registry: RegistryFile, task: ModelTask, id: string): number[] {
  const d = registry.defaults[task];
  return [...(d?.gray === id ? [1] : []), ...(d?.color === id ? [3] : [])];
}

export function defaultModelId(task: ModelTask, channels: number): string | undefined {
  const d = readRegistry().defaults[task];
  return channels === 1 ? (d?.gray ?? d?.color) : (d?.color ?? d?.gray);
}

const cache = new Map<string, Promise<LoadedModel>>();

/** Loads a model by id (shipped or user) or by folder path; cached per process. */
export async function resolveModel(idOrPath: string | undefined, task: ModelTask, channels: number): Promise<LoadedModel> {
  const wanted = idOrPath ?? defaultModelId(task, channels);
  if (!wanted) throw new MendError('model', `No default ${task} model is installed; pass --model`);
  let dir: string | undefined;
  if (existsSync(path.join(wanted, 'card.json'))) dir = path.resolve(wanted);
  else dir = (await listModels()).find((m) => m.id === wanted)?.dir;
  if (!dir) {
    const ids = (await listModels()).map((m) => m.id);
    throw new MendError('model', `Unknown model "${wanted}". Installed: ${ids.join(', ') || 'none'}`);
  }
  let p = cache.get(dir);
  if (!p) {
    p = loadModelFolder(dir);
    cache.set(dir, p);
    p.catch(() => cache.delete(dir!));
  }
  const loaded = await p;
  if (loaded.card.task !== task) {
    throw new MendError('model', `Model "${loaded.card.id}" is a ${loaded.card.task} model, not a ${task} model`);
  }
  return loaded;
}

/**
 * Drops a model folder from the load cache, so the next resolveModel reads it again: for a host
 * that replaces, renames or deletes user models while it runs (the engine process).
 */
export function forgetModel(dir: string): void {
  cache.delete(path.resolve(dir));
}
