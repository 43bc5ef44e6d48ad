/**
 * Model management for the interface: list, details, rename, delete, and `.mendmodel` files.
 *
 * Shipped models are read-only (they live in the installation); user models live in
 * userModelsDir()/<id>. A `.mendmodel` file is one JSON document
 *   {"format": "mendmodel", "version": 1, "files": {"model.json": "<base64>", ...}}
 * holding a model folder's files. On import every name is checked against a fixed list (no
 * paths, no surprises), the card is checked, the weights are loaded once to prove they work,
 * and the folder appears under a fresh id only when all of that passed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelDetails, ModelSummary } from '../shared/api.js';
import type { ModelCard } from '../core/models/card.js';
import { defaultChannels, forgetModel, listModels, readRegistry, userModelsDir, type ModelEntry } from '../core/models/registry.js';
import { loadModelFolder, readCard, saveCard } from '../core/models/store.js';
import { EngineError } from '../host/errors.js';
import { newId } from '../host/layout.js';
import type { ExportedFile } from '../host/protocol.js';
import type { Workspace } from './workspace.js';

export const MENDMODEL_FORMAT = 'mendmodel';
export const MENDMODEL_VERSION = 1;
/** The files of a model folder that travel in a `.mendmodel` (checkpoints stay behind). */
const MODEL_FILES = ['model.json', 'weights.bin', 'card.json', 'card.md'] as const;
const REQUIRED_FILES = ['model.json', 'weights.bin', 'card.json'];
const TASKS = ['denoise', 'inpaint', 'reconstruct'];

/** `My Model (v2)` -> `my-model-v2`: a folder name and URL segment. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || 'model';
}

/** A user-model id from a name that no shipped or user model has yet (`name`, `name-2`, ...). */
export async function uniqueUserModelId(name: string): Promise<string> {
  const taken = new Set((await listModels()).map((m) => m.id));
  const base = slugify(name);
  let id = base;
  for (let n = 2; taken.has(id) || existsSync(path.join(userModelsDir(), id)); n++) id = `${base}-${n}`;
  return id;
}

function headline(card: ModelCard): string | undefined {
  const rows = card.eval ?? [];
  const row = rows.find((r) => r.sigma === 25) ?? rows[0];
  if (!row) return undefined;
  const what = row.sigma !== undefined ? `sigma ${row.sigma}` : row.masks ? row.masks : '';
  return `${row.set}${what ? ` ${what}` : ''}: ${row.psnr.toFixed(2)} dB`;
}

/**
 * A job's `model` must name an installed model: core's resolveModel also takes a folder path,
 * which would let a browser load files from anywhere on the server.
 */
export async function checkModelId(model: unknown): Promise<string | undefined> {
  if (model === undefined || model === null || model === '') return undefined;
  if (typeof model !== 'string' || !(await listModels()).some((m) => m.id === model)) {
    throw new EngineError('model', `Unknown model "${String(model).slice(0, 80)}"`);
  }
  return model;
}

export function summaryOf(m: ModelEntry): ModelSummary {
  const c = m.card;
  const defaultFor = m.source === 'shipped' ? defaultChannels(readRegistry(), c.task, m.id) : [];
  return {
    id: m.id,
    name: c.name || m.id,
    description: c.description ?? '',
    task: c.task,
    channels: c.channels,
    source: m.source,
    isDefault: defaultFor.length > 0,
    defaultFor,
    arch: c.arch?.kind ?? 'unknown',
    ...(c.params !== undefined ? { params: c.params } : {}),
    ...(c.flopsPerPixel !== undefined ? { flopsPerPixel: c.flopsPerPixel } : {}),
    ...(c.sigmaRange ? { sigmaRange: c.sigmaRange } : {}),
    ...(headline(c) ? { headline: headline(c) } : {}),
  };
}

export async function modelSummaries(): Promise<ModelSummary[]> {
  return (await listModels()).map(summaryOf);
}

async function entry(id: unknown): Promise<ModelEntry> {
  if (typeof id !== 'string' || !id) throw new EngineError('usage', 'A model id is missing');
  const found = (await listModels()).find((m) => m.id === id);
  if (!found) throw new EngineError('not-found', `Model "${id}" not found`);
  return found;
}

async function userEntry(id: unknown, action: string): Promise<ModelEntry> {
  const m = await entry(id);
  if (m.source !== 'user') throw new EngineError('forbidden', `"${m.id}" is a shipped model and cannot be ${action}; only your own models can`);
  return m;
}

export async function modelDetails(id: string): Promise<ModelDetails> {
  const m = await entry(id);
  const markdown = await readFile(path.join(m.dir, 'card.md'), 'utf8').catch(() => '');
  return { summary: summaryOf(m), card: m.card as unknown as Record<string, unknown>, markdown };
}

export async function renameModel(id: string, name: string): Promise<ModelSummary> {
  const clean = typeof name === 'string' ? name.replace(/\s+/g, ' ').trim() : '';
  if (!clean) throw new EngineError('usage', 'The new name is empty');
  if (clean.length > 120) throw new EngineError('usage', 'The name is too long (at most 120 characters)');
  const m = await userEntry(id, 'renamed');
  const card: ModelCard = { ...m.card, name: clean };
  await saveCard(m.dir, card);
  forgetModel(m.dir);
  return summaryOf({ ...m, card });
}

export async function deleteModel(id: string): Promise<void> {
  const m = await userEntry(id, 'deleted');
  await rm(m.dir, { recursive: true, force: true });
  forgetModel(m.dir);
}

/** Writes `<id>.mendmodel` to a temp folder of the workspace. */
export async function exportModel(ws: Workspace, id: string): Promise<ExportedFile> {
  const m = await entry(id);
  const files: Record<string, string> = {};
  for (const name of MODEL_FILES) {
    const data = await readFile(path.join(m.dir, name)).catch(() => undefined);
    if (data) files[name] = data.toString('base64');
    else if (REQUIRED_FILES.includes(name)) throw new EngineError('model', `Model "${m.id}" is incomplete: ${name} is missing`);
  }
  const fileName = `${m.id}.mendmodel`;
  const file = path.join(await ws.tempFolder('model'), fileName);
  await writeFile(file, JSON.stringify({ format: MENDMODEL_FORMAT, version: MENDMODEL_VERSION, files }));
  return { file, fileName };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkCard(card: unknown): asserts card is ModelCard {
  const c = card as Partial<ModelCard> | null;
  const ok = !!c && typeof c === 'object' && TASKS.includes(String(c.task)) && (c.channels === 1 || c.channels === 3) &&
    !!c.arch && typeof c.arch === 'object' && typeof c.arch.kind === 'string';
  if (!ok) throw new EngineError('model', 'The model file has no valid card (task, channels and architecture are needed)');
}

/** Imports a `.mendmodel` file (already on disk: the host's upload) as a new user model. */
export async function importModel(name: string, file: string): Promise<ModelSummary> {
  const bad = (why: string): EngineError => new EngineError('model', `${name || 'The file'} is not a Mend model file: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw bad('it is not a .mendmodel document (JSON)');
  }
  const d = doc as { format?: unknown; version?: unknown; files?: unknown };
  if (!d || typeof d !== 'object' || d.format !== MENDMODEL_FORMAT) throw bad('the "format" field is not "mendmodel"');
  if (d.version !== MENDMODEL_VERSION) throw bad(`version ${String(d.version)} is not supported (this Mend reads version ${MENDMODEL_VERSION})`);
  if (!d.files || typeof d.files !== 'object' || Array.isArray(d.files)) throw bad('it holds no files');
  const files = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(d.files as Record<string, unknown>)) {
    // Only the known flat names: no paths, no dot files, nothing a folder could be tricked with.
    if (!(MODEL_FILES as readonly string[]).includes(key)) throw bad(`unexpected file "${key.slice(0, 60)}"`);
    if (typeof value !== 'string' || !BASE64.test(value)) throw bad(`${key} is not base64 data`);
    files.set(key, Buffer.from(value, 'base64'));
  }
  for (const req of REQUIRED_FILES) if (!files.has(req)) throw bad(`${req} is missing`);
  let card: unknown;
  try {
    card = JSON.parse(files.get('card.json')!.toString('utf8'));
    JSON.parse(files.get('model.json')!.toString('utf8'));
  } catch {
    throw bad('card.json or model.json is not valid JSON');
  }
  checkCard(card);
  const root = userModelsDir();
  // Messages go to a browser: they name the user's file, never the server's folders.
  const hidePaths = (text: string): string => text.split(`${root}${path.sep}`).join('').split(root).join('your models folder');
  await mkdir(root, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new EngineError('unwritable', `Cannot create your models folder to import ${name || 'the model'}: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.code ?? 'error')}`);
  });
  const displayName = (typeof card.name === 'string' && card.name.trim()) || name.replace(/\.mendmodel$/i, '') || 'Imported model';
  const id = await uniqueUserModelId(displayName);
  // Built beside its final place under a hidden name (listModels skips folders without card.json
  // and this one gets its card only at the end), then renamed in one step.
  const tmp = path.join(root, `.import-${newId()}`);
  try {
    await mkdir(tmp);
    for (const n of ['model.json', 'weights.bin']) await writeFile(path.join(tmp, n), files.get(n)!);
    const finalCard: ModelCard = { ...card, id, name: displayName };
    try {
      await saveCard(tmp, finalCard);
      await loadModelFolder(tmp);
    } catch (e) {
      const why = (e as Error).message.split('\n')[0]!.split(`${tmp}: `).join('').split(tmp).join('the model');
      throw bad(`the weights do not load (${hidePaths(why)})`);
    }
    const dir = path.join(root, id);
    await rename(tmp, dir);
    return summaryOf({ id, dir, card: await readCard(dir), source: 'user' });
  } catch (e) {
    if (e instanceof EngineError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new EngineError(err.code ? 'unwritable' : 'model', `Cannot import ${name || 'the model'}: ${hidePaths(err.message.split('\n')[0]!.split(tmp).join('the model'))}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
