// The desktop app's side of MendApi (src-main/app/desktop-host.ts) behind its IPC gate
// (dispatch.ts), on the real engine in a stand-in utility process: what the window can do
// through each channel, with native dialogs replaced by answers the test gives. Paths work only
// once the user granted them (dialog, drop, launch); images and batch outputs are served by the
// mend-image protocol resolver from the workspace and granted folders only.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopHost, type Dialogs } from '../../src-main/app/desktop-host.js';
import { dispatch } from '../../src-main/app/dispatch.js';
import { utilityProcessLauncher } from '../../src-main/app/engine-process.js';
import { Grants } from '../../src-main/app/grants.js';
import { resolveImageRequest } from '../../src-main/app/image-protocol.js';
import { batchOutputUrl, imageUrl, type EventChannel, type EventPayloads, type InvokeChannel, type Reply } from '../../src-main/app/ipc-contract.js';
import type { Outcome } from '../../src-main/app/progress.js';
import type { SenderInfo } from '../../src-main/app/security.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { EngineClient } from '../../src-main/host/client.js';
import { createHostWorkspace, type HostWorkspace } from '../../src-main/host/host.js';
import type { BatchResult, ImageInfo } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';
import { standInUtilityProcess } from '../helpers/utility-process.js';

let tmp: string;
let photos: string;
let elsewhere: string;
let ws: HostWorkspace;
let engine: EngineClient;
let host: DesktopHost;
const grants = new Grants();
const events: { channel: EventChannel; payload: unknown }[] = [];
const opened: string[] = [];
const ended: { id: string; outcome: Outcome }[] = [];
const answers: { open: string[]; folder?: string; save?: string } = { open: [] };
const WINDOW = new Set([1]);
const SENDER: SenderInfo = { frameUrl: 'app://mend/index.html', isMainFrame: true, webContentsId: 1 };

const dialogs: Dialogs = {
  openImages: async () => answers.open,
  chooseFolder: async () => answers.folder,
  saveFile: async () => answers.save,
};

/** One IPC request as the window sends it. */
async function ipc<T>(channel: InvokeChannel, payload: unknown): Promise<T> {
  const r = (await dispatch(channel, SENDER, payload, { handlers: host.handlers, appWebContents: WINDOW })) as Reply<T>;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

function sentOn<C extends EventChannel>(channel: C): EventPayloads[C][] {
  return events.filter((e) => e.channel === channel).map((e) => e.payload as EventPayloads[C]);
}

async function waitFor<T>(get: () => T | undefined, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-desktop-host-test-'));
  photos = path.join(tmp, 'photos');
  elsewhere = path.join(tmp, 'elsewhere');
  await mkdir(photos);
  await mkdir(elsewhere);
  for (const [dir, name, seed] of [[photos, 'one.png', 1], [photos, 'two.png', 2], [elsewhere, 'private.png', 3]] as const) {
    await writeImage(path.join(dir, name), { raster: naturalImage(48, 40, 3, seed), bitDepth: 8, format: 'png' }, { keepMetadata: false });
  }
  ws = await createHostWorkspace('mend-desktop-test-', tmp);
  engine = new EngineClient({
    workspaceDir: ws.dir, stdio: 'ignore', launcher: utilityProcessLauncher(standInUtilityProcess()),
    env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(tmp, 'user-models') },
  });
  host = new DesktopHost({
    engine, workspaceDir: ws.dir, grants, dialogs,
    send: (channel, payload) => void events.push({ channel, payload }),
    opened: (f) => void opened.push(f),
    jobs: { started: () => undefined, event: () => undefined, ended: (id, outcome) => void ended.push({ id, outcome }) },
  });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await ws?.remove();
  await rm(tmp, { recursive: true, force: true });
});

let first: ImageInfo;

describe('desktop host', () => {
  it('answers info as the desktop app, with no server roots', async () => {
    expect(await ipc('mend:info', {})).toMatchObject({ mode: 'desktop', roots: [], backend: { name: 'wasm' } });
  });

  it('keeps files the app was launched with until the window listens, then sends them', async () => {
    await host.openFiles([path.join(photos, 'one.png'), path.join(photos, 'missing.png')]);
    expect(sentOn('mend:opened')).toEqual([]);
    await ipc('mend:ready', {});
    const [sent] = sentOn('mend:opened');
    expect(sent!.images.map((i) => i.name)).toEqual(['one.png']);
    expect(sent!.failures).toHaveLength(1);
    expect(sent!.failures[0]!.message).toContain('missing.png');
    first = sent!.images[0]!;
    expect(opened).toEqual([await realpathOf(path.join(photos, 'one.png'))]);
  });

  it('opens a path only once the user gave it to the app', async () => {
    const two = path.join(photos, 'two.png');
    await expect(ipc('mend:open-path', { path: two })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ipc('mend:open-path', { path: path.join(elsewhere, 'private.png') })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ipc('mend:open-path', { path: path.join(photos, '..', 'elsewhere', 'private.png') })).rejects.toMatchObject({ code: 'forbidden' });
    // No request of the window grants a path: the channel that did (a "drop" naming any path) is gone.
    await expect(ipc('mend:add-image-file' as never, { name: 'two.png', path: two })).rejects.toMatchObject({ code: 'usage' });
    await expect(ipc('mend:open-path', { path: two })).rejects.toMatchObject({ code: 'forbidden' });
    // The system handing it to the app (file association, argv) does.
    await host.openFiles([two]);
    expect((await ipc<ImageInfo>('mend:open-path', { path: two })).name).toBe('two.png');
  });

  it('takes pasted bytes and shows the image through mend-image://', async () => {
    const png = await readFile(path.join(photos, 'one.png'));
    const info = await ipc<ImageInfo>('mend:add-image-bytes', { name: 'pasted.png', data: png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) });
    expect(info).toMatchObject({ name: 'pasted.png', width: 48, height: 40 });
    const served = await resolveImageRequest(imageUrl(info.id, 'view'), 'GET', protocolSource());
    expect(served.ok).toBe(true);
    if (served.ok) expect((await sharp(served.file).metadata()).width).toBe(48);
  });

  it('runs a job, streaming its events to the window and ending it there', async () => {
    const id = 'jobjobjob0001';
    expect(await ipc('mend:job-start', { id, spec: { type: 'denoise', image: first.id, sigma: 15 } })).toEqual({ id });
    const end = await waitFor(() => sentOn('mend:job-end').find((e) => e.job === id));
    expect(end).toMatchObject({ ok: true, result: { type: 'denoise', sigma: 15 } });
    expect(sentOn('mend:job-event').some((e) => e.job === id)).toBe(true);
    expect(ended.find((e) => e.id === id)?.outcome.ok).toBe(true);
    await expect(ipc('mend:job-start', { id: '../escape', spec: { type: 'denoise', image: first.id, sigma: 15 } })).rejects.toMatchObject({ code: 'usage' });
  });

  it('runs a batch on folders only after they were chosen in the folder dialog', async () => {
    const out = path.join(tmp, 'cleaned');
    await mkdir(out);
    const spec = { type: 'batch', task: 'denoise', paths: [photos], outDir: out, sigma: 10 };
    await expect(ipc('mend:job-start', { id: 'batchbatch001', spec })).rejects.toMatchObject({ code: 'forbidden' });
    answers.folder = photos;
    expect(await ipc('mend:choose-folder', { purpose: 'input' })).toBe(await realpathOf(photos));
    await expect(ipc('mend:job-start', { id: 'batchbatch002', spec })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/Output folder/) });
    answers.folder = out;
    await ipc('mend:choose-folder', { purpose: 'output' });
    answers.folder = undefined;
    expect(await ipc('mend:choose-folder', { purpose: 'output' })).toBeNull();
    await ipc('mend:job-start', { id: 'batchbatch003', spec });
    const end = await waitFor(() => sentOn('mend:job-end').find((e) => e.job === 'batchbatch003'));
    expect(end.ok).toBe(true);
    const result = (end as { result: BatchResult }).result;
    expect(result).toMatchObject({ status: 'completed', done: 2, failed: 0 });
    const served = await resolveImageRequest(batchOutputUrl(out, result.outputs[0]!), 'GET', protocolSource());
    expect(served.ok).toBe(true);
    const refused = await resolveImageRequest(batchOutputUrl(elsewhere, 'private.png'), 'GET', protocolSource());
    expect(refused).toMatchObject({ ok: false, status: 403 });
  });

  it('exports through the save dialog, never over an original, and a cancelled dialog is a cancel', async () => {
    const opts = { image: first.id, source: first.id, format: 'png', keepMetadata: true, fileName: 'one.mend.png' };
    answers.save = undefined;
    await expect(ipc('mend:export-image', { opts })).rejects.toMatchObject({ code: 'cancelled' });
    answers.save = path.join(tmp, 'exported');
    expect(await ipc('mend:export-image', { opts })).toBe('exported.png');
    expect((await sharp(path.join(tmp, 'exported.png')).metadata()).width).toBe(48);
    answers.save = path.join(photos, 'one.png');
    await expect(ipc('mend:export-image', { opts })).rejects.toMatchObject({ code: expect.stringMatching(/usage|unwritable|forbidden/) });
    answers.save = path.join(tmp, 'model-copy.mendmodel');
    expect(await ipc('mend:export-model', { id: 'color-denoise' })).toBe('model-copy.mendmodel');
    expect(existsSync(answers.save)).toBe(true);
  });

  it('refuses requests from anything but the app window', async () => {
    const r = await dispatch('mend:open-path', { ...SENDER, frameUrl: 'https://evil.example/' }, { path: path.join(photos, 'two.png') }, { handlers: host.handlers, appWebContents: WINDOW });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

function protocolSource() {
  return {
    workspaceDir: ws.dir,
    diffImage: (a: string, b: string, gain: number) => engine.call('diffImage', a, b, gain),
    batchOutputFile: (dir: string, name: string) => engine.call('batchOutputFile', dir, name),
    checkFolder: (dir: string) => grants.check(dir, 'Folder'),
  };
}

const realpathOf = (p: string): Promise<string> => realpath(p);
