import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ArchSpec } from '../../../src-main/core/models/architectures.js';
import { defaultModelId, listModels, readRegistry, resolveModel } from '../../../src-main/core/models/registry.js';
import { saveModelFolder } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';

let userDir: string;
const arch: ArchSpec = { kind: 'residual', channels: 1, width: 4, depth: 3, codeActivation: 'relu', conditioning: 'noise-map' };

beforeAll(async () => {
  await initBackend('wasm');
  userDir = await mkdtemp(path.join(os.tmpdir(), 'mend-user-models-'));
  process.env.MEND_USER_MODELS = userDir;
  await saveModelFolder(path.join(userDir, 'my-gray'), buildModel(arch), {
    id: 'my-gray', name: 'Mine', description: 'a user model', task: 'denoise', channels: 1, arch, created: new Date().toISOString(),
  });
});

afterAll(async () => {
  delete process.env.MEND_USER_MODELS;
  await rm(userDir, { recursive: true, force: true });
});

describe('model registry', () => {
  it('every shipped registry entry and default exists and can process its kind of image', async () => {
    const reg = readRegistry();
    const models = await listModels();
    for (const m of reg.models) expect(models.find((e) => e.id === m.id)?.source).toBe('shipped');
    for (const [task, d] of Object.entries(reg.defaults)) {
      for (const [kind, id] of Object.entries(d ?? {})) {
        const entry = models.find((e) => e.id === id)!;
        expect(entry.card.task).toBe(task);
        // A grey denoiser serves colour images too (luminance route); nothing else crosses kinds.
        if (kind === 'gray' || task !== 'denoise') expect(entry.card.channels).toBe(kind === 'gray' ? 1 : 3);
        else expect([1, 3]).toContain(entry.card.channels);
      }
    }
    expect(defaultModelId('denoise', 1)).toBe(reg.defaults.denoise?.gray);
    expect(defaultModelId('denoise', 3)).toBe(reg.defaults.denoise?.color);
  });

  it('lists user models beside shipped ones and resolves them by id or path', async () => {
    const models = await listModels();
    expect(models.find((m) => m.id === 'my-gray')?.source).toBe('user');
    const byId = await resolveModel('my-gray', 'denoise', 1);
    const byPath = await resolveModel(path.join(userDir, 'my-gray'), 'denoise', 1);
    expect(byId.card.description).toBe('a user model');
    expect(byPath.dir).toBe(byId.dir);
  });

  it('refuses unknown ids and models of the wrong task with a model error', async () => {
    await expect(resolveModel('no-such-model', 'denoise', 3)).rejects.toMatchObject({ code: 'model', message: expect.stringContaining('no-such-model') });
    await expect(resolveModel('my-gray', 'inpaint', 1)).rejects.toMatchObject({ code: 'model' });
  });
});
