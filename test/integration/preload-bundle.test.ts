// The built preload bundle (dist/preload/preload.cjs, made by vite.preload.config.ts) run as a
// sandboxed preload runs: one CommonJS script whose only require is 'electron', here a stand-in
// that records what it exposes and sends. It must expose named methods only, send each on its
// own channel, send dropped files as bytes (never a path for main to grant), and hand errors
// over as {code, message}.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobStreamEvent, MendApi } from '../../src-main/shared/api.js';
import { REPO_ROOT } from '../helpers/cli.js';

type Listener = (event: unknown, payload: unknown) => void;

let api: MendApi;
const required: string[] = [];
const exposed: Record<string, unknown> = {};
const sent: { channel: string; payload: unknown }[] = [];
const listeners = new Map<string, Set<Listener>>();
let reply: (channel: string, payload: unknown) => unknown = () => ({ ok: true, value: null });
const filePaths = new WeakMap<object, string>();

function emit(channel: string, payload: unknown): void {
  for (const l of listeners.get(channel) ?? []) l({}, payload);
}

beforeAll(() => {
  const code = readFileSync(path.join(REPO_ROOT, 'dist', 'preload', 'preload.cjs'), 'utf8');
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (channel: string, payload: unknown) => {
        sent.push({ channel, payload });
        return reply(channel, payload);
      },
      on: (channel: string, l: Listener) => void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l),
      removeListener: (channel: string, l: Listener) => void listeners.get(channel)?.delete(l),
    },
    webUtils: { getPathForFile: (f: object) => filePaths.get(f) ?? '' },
  };
  const context = vm.createContext({
    require: (m: string) => {
      required.push(m);
      if (m !== 'electron') throw new Error(`a sandboxed preload cannot require ${m}`);
      return electron;
    },
    module: { exports: {} },
    exports: {},
    console, File, Blob, crypto, btoa, setTimeout,
  });
  vm.runInContext(code, context, { filename: 'preload.cjs' });
  api = exposed.mend as MendApi;
});

describe('the preload bundle', () => {
  it('is one CommonJS file that requires only electron', () => {
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['mend']);
  });

  it('exposes the MendApi methods by name, and no generic channel access', () => {
    const names = Object.keys(api).sort();
    expect(names).toEqual([
      'addImage', 'batchOutputUrl', 'browse', 'compare', 'deleteModel', 'deletePreset', 'desktop', 'diffUrl', 'exportImage', 'exportModel', 'imageUrl',
      'importModel', 'info', 'listModels', 'listPresets', 'modelDetails', 'openPath', 'removeImage', 'renameModel', 'savePreset', 'startJob',
    ]);
    for (const n of names.filter((x) => x !== 'desktop')) expect(typeof (api as unknown as Record<string, unknown>)[n], n).toBe('function');
    expect(Object.keys(api.desktop!).sort()).toEqual(['chooseFolder', 'onEngineStatus', 'onImagesOpened', 'onMenuCommand']);
    const all = JSON.stringify(Object.keys(api)) + JSON.stringify(Object.keys(api.desktop!));
    expect(all).not.toMatch(/invoke|send|ipc|require|process/i);
  });

  it('sends each call on its own channel and unwraps the reply', async () => {
    reply = () => ({ ok: true, value: { version: '1', mode: 'desktop', backend: { name: 'wasm', label: 'WASM' }, roots: [] } });
    expect(await api.info()).toMatchObject({ mode: 'desktop' });
    expect(sent.at(-1)).toEqual({ channel: 'mend:info', payload: {} });
    reply = () => ({ ok: true, value: null });
    await api.removeImage('abcdefgh1234');
    expect(sent.at(-1)).toEqual({ channel: 'mend:remove-image', payload: { id: 'abcdefgh1234' } });
    await api.compare('abcdefgh1234', 'zyxwvuts9876');
    expect(sent.at(-1)).toEqual({ channel: 'mend:compare', payload: { reference: 'abcdefgh1234', image: 'zyxwvuts9876' } });
    await api.savePreset!({ name: 'Scans', task: 'inpaint' });
    expect(sent.at(-1)).toEqual({ channel: 'mend:save-preset', payload: { preset: { name: 'Scans', task: 'inpaint' } } });
  });

  it('rejects with a plain {code, message} the page can read', async () => {
    reply = () => ({ ok: false, error: { code: 'forbidden', message: 'Not opened in Mend' } });
    await expect(api.openPath('/etc/passwd')).rejects.toEqual({ code: 'forbidden', message: 'Not opened in Mend' });
    reply = () => {
      throw new Error('IPC broke');
    };
    await expect(api.listModels()).rejects.toEqual({ code: 'internal', message: 'IPC broke' });
  });

  it('sends a dropped file, a paste and a drawn mask as bytes, never as a path', async () => {
    reply = (_c, p) => ({ ok: true, value: { id: 'abcdefgh1234', name: (p as { name: string }).name } });
    const dropped = new File([new Uint8Array([1])], 'a.jpg');
    filePaths.set(dropped, '/home/u/Pictures/a.jpg');
    await api.addImage('a.jpg', dropped);
    expect(sent.at(-1)!.channel).toBe('mend:add-image-bytes');
    expect(JSON.stringify(sent.at(-1)!.payload)).not.toContain('/home/u');
    await api.importModel('m.mendmodel', dropped);
    expect(sent.at(-1)!.channel).toBe('mend:import-model-bytes');
    await api.addImage('pasted.png', new File([new Uint8Array([7, 8, 9])], 'pasted.png'));
    const last = sent.at(-1)!;
    expect(last.channel).toBe('mend:add-image-bytes');
    expect([...new Uint8Array((last.payload as { data: ArrayBuffer }).data)]).toEqual([7, 8, 9]);
    await api.addImage('mask.png', new Blob([new Uint8Array([1, 2])]));
    expect(sent.at(-1)!.channel).toBe('mend:add-image-bytes');
  });

  it('builds mend-image URLs without asking main', () => {
    const before = sent.length;
    expect(api.imageUrl('abcdefgh1234', 'thumb')).toBe('mend-image://workspace/image/abcdefgh1234/thumb');
    expect(api.imageUrl('../x', 'view')).toBe('mend-image://workspace/image/..%2Fx/view');
    expect(api.diffUrl('abcdefgh1234', 'zyxwvuts9876', 8)).toBe('mend-image://workspace/diff/abcdefgh1234/zyxwvuts9876?gain=8');
    expect(api.batchOutputUrl('workspace:abcdefgh1234', 'a b.png')).toBe('mend-image://workspace/batch-output?dir=workspace%3Aabcdefgh1234&name=a%20b.png');
    expect(sent.length).toBe(before);
  });

  it('streams a job’s events to its handler and settles with its end', async () => {
    reply = () => ({ ok: true, value: { id: 'ignored' } });
    const events: JobStreamEvent[] = [];
    const handle = await api.startJob({ type: 'denoise', image: 'abcdefgh1234', sigma: 'auto' }, (e) => events.push(e));
    const start = sent.at(-1)!;
    expect(start.channel).toBe('mend:job-start');
    const id = (start.payload as { id: string }).id;
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(handle.id).toBe(id);
    emit('mend:job-event', { job: 'someoneelse1', event: { type: 'log', level: 'info', message: 'not mine' } });
    emit('mend:job-event', { job: id, event: { type: 'progress', stage: 'denoise', done: 1, total: 2 } });
    emit('mend:job-end', { job: id, ok: true, result: { type: 'denoise', model: 'm' } });
    await expect(handle.done).resolves.toMatchObject({ type: 'denoise' });
    expect(events).toEqual([{ type: 'progress', stage: 'denoise', done: 1, total: 2 }]);
    await handle.cancel();
    expect(sent.at(-1)).toEqual({ channel: 'mend:job-control', payload: { id, action: 'cancel' } });

    const failing = await api.startJob({ type: 'denoise', image: 'abcdefgh1234', sigma: 3 }, () => undefined);
    emit('mend:job-end', { job: failing.id, ok: false, error: { code: 'engine-crashed', message: 'The engine process stopped unexpectedly' } });
    await expect(failing.done).rejects.toEqual({ code: 'engine-crashed', message: 'The engine process stopped unexpectedly' });
  });

  it('says it is ready when the page listens for opened files, and stops listening on request', async () => {
    reply = () => ({ ok: true, value: null });
    const got: unknown[] = [];
    const off = api.desktop!.onImagesOpened((images, failures) => got.push({ images, failures }));
    expect(sent.at(-1)).toEqual({ channel: 'mend:ready', payload: {} });
    emit('mend:opened', { images: [{ id: 'abcdefgh1234' }], failures: [] });
    off();
    emit('mend:opened', { images: [{ id: 'zyxwvuts9876' }], failures: [] });
    expect(got).toEqual([{ images: [{ id: 'abcdefgh1234' }], failures: [] }]);
  });
});
