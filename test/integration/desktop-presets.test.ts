// Batch presets in the desktop app (issue 21, point 5): the window lists, saves and deletes
// them through its IPC channels, checked by the same schema as mend serve's body, against the
// real engine in a stand-in utility process; they land in the presets file `mend batch
// --preset` reads.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopHost } from '../../src-main/app/desktop-host.js';
import { dispatch } from '../../src-main/app/dispatch.js';
import { utilityProcessLauncher } from '../../src-main/app/engine-process.js';
import { Grants } from '../../src-main/app/grants.js';
import type { InvokeChannel, Reply } from '../../src-main/app/ipc-contract.js';
import type { SenderInfo } from '../../src-main/app/security.js';
import { EngineClient } from '../../src-main/host/client.js';
import { createHostWorkspace, type HostWorkspace } from '../../src-main/host/host.js';
import type { BatchPreset } from '../../src-main/shared/api.js';
import { standInUtilityProcess } from '../helpers/utility-process.js';

let tmp = '';
let ws: HostWorkspace;
let engine: EngineClient;
let host: DesktopHost;
const SENDER: SenderInfo = { frameUrl: 'app://mend/index.html', isMainFrame: true, webContentsId: 1 };

async function ipc<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
  const r = (await dispatch(channel, SENDER, payload, { handlers: host.handlers, appWebContents: new Set([1]) })) as Reply<T>;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-desktop-presets-'));
  ws = await createHostWorkspace('mend-desktop-presets-', tmp);
  engine = new EngineClient({
    workspaceDir: ws.dir, stdio: 'ignore', launcher: utilityProcessLauncher(standInUtilityProcess()),
    env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(tmp, 'data', 'models') },
  });
  host = new DesktopHost({
    engine, workspaceDir: ws.dir, grants: new Grants(),
    dialogs: { openImages: async () => [], chooseFolder: async () => undefined, saveFile: async () => undefined },
    send: () => undefined, opened: () => undefined,
    jobs: { started: () => undefined, event: () => undefined, ended: () => undefined },
  });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await ws?.remove();
  await rm(tmp, { recursive: true, force: true });
});

describe('batch presets through the desktop IPC', () => {
  it('saves, lists and deletes presets in the shared presets file, and refuses a bad one', async () => {
    expect(await ipc('mend:list-presets', {})).toEqual([]);
    const preset: BatchPreset = { name: 'Scans', task: 'denoise', sigma: 12, passes: 2, format: 'tiff', depth: 16 };
    expect(await ipc('mend:save-preset', { preset })).toEqual([preset]);
    const file = JSON.parse(await readFile(path.join(tmp, 'data', 'presets.json'), 'utf8')) as { presets: BatchPreset[] };
    expect(file.presets).toEqual([preset]);
    await expect(ipc('mend:save-preset', { preset: { ...preset, sigma: 999 } })).rejects.toMatchObject({ code: 'usage' });
    await expect(ipc('mend:save-preset', { preset: { ...preset, outDir: '/etc' } })).rejects.toThrow(/unexpected key/);
    expect(await ipc('mend:delete-preset', { name: 'scans' })).toEqual([]);
    await expect(ipc('mend:delete-preset', { name: 'scans' })).rejects.toMatchObject({ code: 'not-found' });
  });
});
