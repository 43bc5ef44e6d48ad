// Batch presets on disk (core/batch/presets.ts): saved beside the user's models folder, replaced
// by name, deleted, and a broken file reported in one line rather than overwritten.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePreset, getPreset, listPresets, presetsFile, savePreset } from '../../../src-main/core/batch/presets.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-presets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('batch presets file', () => {
  it('lives beside the user models folder', () => {
    const old = process.env.MEND_USER_MODELS;
    process.env.MEND_USER_MODELS = path.join(dir, 'data', 'models');
    try {
      expect(presetsFile()).toBe(path.join(dir, 'data', 'presets.json'));
    } finally {
      if (old === undefined) delete process.env.MEND_USER_MODELS;
      else process.env.MEND_USER_MODELS = old;
    }
  });

  it('saves, replaces by name (any case), finds, lists by name and deletes', async () => {
    const file = path.join(dir, 'sub', 'presets.json');
    expect(await listPresets(file)).toEqual([]);
    await savePreset({ name: 'Scans', task: 'inpaint', format: 'tiff' }, file);
    await savePreset({ name: 'Night', task: 'denoise', sigma: 30, passes: 2 }, file);
    await savePreset({ name: 'night', task: 'denoise', sigma: 'auto' }, file);
    expect((await listPresets(file)).map((p) => p.name)).toEqual(['night', 'Scans']);
    expect(await getPreset('NIGHT', file)).toEqual({ name: 'night', task: 'denoise', sigma: 'auto' });
    await expect(getPreset('Day', file)).rejects.toThrow('No batch preset "Day". Saved: night, Scans');
    await expect(savePreset({ name: 'Bad', task: 'denoise', sigma: 300 }, file)).rejects.toThrow(/sigma/);
    expect((await deletePreset('scans', file)).map((p) => p.name)).toEqual(['night']);
    await expect(deletePreset('scans', file)).rejects.toThrow('No batch preset "scans"');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, presets: [{ name: 'night', task: 'denoise', sigma: 'auto' }] });
  });

  it('reports a broken file and leaves it alone', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"version": 1, "presets": [');
    await expect(listPresets(file)).rejects.toThrow('is not valid JSON; fix or delete it');
    await expect(savePreset({ name: 'x', task: 'denoise' }, file)).rejects.toThrow('not valid JSON');
    expect(await readFile(file, 'utf8')).toBe('{"version": 1, "presets": [');
  });
});
