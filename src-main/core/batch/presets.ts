/**
 * Where batch presets live: one JSON file beside the user's models folder (presets.json in the
 * Mend data folder), so the app's engine and the `mend` CLI read the same presets where they
 * share that folder (see README, "Batch presets"). Writes are atomic; a broken file is reported
 * in one line rather than silently replaced.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { MendError } from '../../shared/errors.js';
import { BatchPresetSchema, PresetFileSchema, type BatchPreset } from '../../shared/schema/presets.js';
import { checkRequest } from '../../shared/schema/parse.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import { userModelsDir } from '../models/registry.js';

/** The presets file: MEND_PRESETS, else presets.json beside the user's models folder. */
export function presetsFile(): string {
  if (process.env.MEND_PRESETS) return path.resolve(process.env.MEND_PRESETS);
  return path.join(path.dirname(userModelsDir()), 'presets.json');
}

/** Most presets kept: a list to pick from, not a database. */
const MAX_PRESETS = 200;

/** All saved presets, by name (entries that no longer validate are left out). */
export async function listPresets(file = presetsFile()): Promise<BatchPreset[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MendError('unwritable', `Cannot read the presets file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MendError('usage', `The presets file ${file} is not valid JSON; fix or delete it`);
  }
  if (!v.is(PresetFileSchema, parsed)) throw new MendError('usage', `The presets file ${file} is not a Mend presets file; fix or delete it`);
  const out: BatchPreset[] = [];
  for (const p of parsed.presets) if (v.is(BatchPresetSchema, p)) out.push(p);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The preset called `name` (names compare without case), or a usage error listing the others. */
export async function getPreset(name: string, file = presetsFile()): Promise<BatchPreset> {
  const all = await listPresets(file);
  const found = all.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new MendError('usage', `No batch preset "${name}". ${all.length ? `Saved: ${all.map((p) => p.name).join(', ')}` : 'None is saved yet (save one on the Batch page or with --save-preset NAME).'}`);
  }
  return found;
}

/** Saves (or replaces, by name without case) a preset; returns the list. */
export async function savePreset(preset: unknown, file = presetsFile()): Promise<BatchPreset[]> {
  const checked = checkRequest(BatchPresetSchema, preset, 'the preset');
  if (!checked.ok) throw new MendError('usage', checked.reason);
  const p = checked.value;
  const others = (await listPresets(file)).filter((x) => x.name.toLowerCase() !== p.name.toLowerCase());
  if (others.length >= MAX_PRESETS) throw new MendError('usage', `There are already ${MAX_PRESETS} presets; delete some first`);
  const list = [...others, p].sort((a, b) => a.name.localeCompare(b.name));
  await writePresets(file, list);
  return list;
}

async function writePresets(file: string, list: BatchPreset[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, Buffer.from(`${JSON.stringify({ version: 1, presets: list }, null, 2)}\n`));
}

/** Deletes the preset called `name`; returns the list. */
export async function deletePreset(name: string, file = presetsFile()): Promise<BatchPreset[]> {
  const all = await listPresets(file);
  const list = all.filter((x) => x.name.toLowerCase() !== name.toLowerCase());
  if (list.length === all.length) throw new MendError('not-found', `No batch preset "${name}"`);
  await writePresets(file, list);
  return list;
}
