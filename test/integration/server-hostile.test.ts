// Hostile input and faults in web mode (issue 20): a symbolic link inside a batch's output tree,
// model files with broken weights, RAW uploads, and a hung engine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { EngineClient } from '../../src-main/host/client.js';
import type { ApiError, BatchResult, TrainJobSpec } from '../../src-main/shared/api.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { readEvents, serve, type Served } from '../helpers/serve.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let root: string;
let outside: string;
let userModels: string;
let server: Served;

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });
const api = (p: string): string => `${server.origin}/api/${p}`;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-serve-hostile-'));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  userModels = path.join(tmp, 'user-models');
  await mkdir(outside, { recursive: true });
  await mkdir(path.join(root, 'in', 'sub', 'deep'), { recursive: true });
  await mkdir(path.join(root, 'out'), { recursive: true });
  await writeImage(path.join(root, 'in', 'sub', 'a.png'), { raster: naturalImage(40, 32, 3, 1) });
  await writeImage(path.join(root, 'in', 'sub', 'deep', 'b.png'), { raster: naturalImage(40, 32, 3, 2) });
  server = await serve(['--root', root], { MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await rm(tmp, { recursive: true, force: true });
});

/** A process id that is certainly dead: a child that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.once('exit', () => resolve(child.pid!));
  });
}

describe('batch output tree with a symbolic link out of the root (defect 6)', () => {
  it('makes no folder and removes no file outside the root', async () => {
    // out/sub leads outside; a killed batch's temp file lies there (its process is dead).
    await symlink(outside, path.join(root, 'out', 'sub'));
    const stale = path.join(outside, `.a.png.mend-tmp-${await deadPid()}-0badc0de`);
    await writeFile(stale, 'not Mend\'s to delete');
    const start = await fetch(api('jobs'), {
      method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'batch', task: 'denoise', paths: ['in'], outDir: 'out', recursive: true, sigma: 10 }),
    });
    expect(start.status).toBe(200);
    const { id } = (await start.json()) as { id: string };
    const msgs = await readEvents(api(`jobs/${id}/events?token=${server.token}`));
    const last = msgs.at(-1)!;
    expect(last.event).toBe('result');
    const result = last.data as BatchResult;
    expect(result.failed).toBe(2);
    for (const f of result.failures) expect(f.reason).toContain('the folder leads outside');
    expect(existsSync(stale)).toBe(true);
    expect(await readdir(outside)).toEqual([path.basename(stale)]);
  });
});

describe('two batches into one server folder (defect 4)', () => {
  it('the second is refused while the first holds the folder (one engine process: one process id)', async () => {
    await mkdir(path.join(root, 'many'));
    for (let i = 0; i < 4; i++) await writeImage(path.join(root, 'many', `m${i}.png`), { raster: naturalImage(96, 64, 3, 30 + i) });
    const start = async (strength: number): Promise<string> => {
      const res = await fetch(api('jobs'), {
        method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'batch', task: 'denoise', paths: ['many'], outDir: 'shared-out', sigma: 10, strength }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    };
    const control = (id: string, action: string): Promise<Response> => fetch(api(`jobs/${id}/${action}`), { method: 'POST', headers: auth() });
    const first = await start(1);
    // Paused after its first file: it holds the folder for certain while the second one starts.
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => (paused = resolve));
    let pauseSent = false;
    const firstEvents = readEvents(api(`jobs/${first}/events?token=${server.token}`), (m) => {
      const d = m.data as { type?: string };
      if (!pauseSent && d.type === 'file') {
        pauseSent = true;
        void control(first, 'pause');
      }
      if (d.type === 'paused') paused();
    });
    await isPaused;
    const second = await start(0.5);
    const secondEvents = await readEvents(api(`jobs/${second}/events?token=${server.token}`));
    await control(first, 'resume');
    const last = (await firstEvents).at(-1)!;
    expect(last.event).toBe('result');
    expect(last.data).toMatchObject({ done: 4, failed: 0 });
    const refused = secondEvents.at(-1)!;
    expect(refused.event).toBe('failure');
    expect((refused.data as ApiError).message).toContain('Another batch is writing into');
    const journal = (await readFile(path.join(root, 'shared-out', 'mend-batch-journal.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(4);
  });
});

/** A .mendmodel of the shipped gray-lite with its weights changed by `edit`. */
async function mendModel(edit: (weights: Buffer) => Buffer): Promise<Buffer> {
  const dir = path.join(REPO_ROOT, 'models', 'gray-lite');
  const files: Record<string, string> = {};
  for (const n of ['model.json', 'card.json', 'card.md']) files[n] = (await readFile(path.join(dir, n))).toString('base64');
  files['weights.bin'] = edit(await readFile(path.join(dir, 'weights.bin'))).toString('base64');
  return Buffer.from(JSON.stringify({ format: 'mendmodel', version: 1, files }));
}

async function importModel(name: string, data: Buffer): Promise<{ status: number; body: ApiError }> {
  const res = await fetch(api(`models/import?name=${encodeURIComponent(name)}`), { method: 'POST', headers: auth(), body: new Uint8Array(data) });
  return { status: res.status, body: (await res.json()) as ApiError };
}

describe('model import (defects 5 and 12)', () => {
  it('refuses weights that are NaN or infinite, and never shows the server\'s folders', async () => {
    const nan = await importModel('nan.mendmodel', await mendModel((w) => {
      w.writeFloatLE(Number.POSITIVE_INFINITY, 8);
      return w;
    }));
    expect(nan.status).toBe(422);
    expect(nan.body.message).toContain('nan.mendmodel is not a Mend model file: the weights do not load');
    expect(nan.body.message).toContain('holds Infinity');
    const cut = await importModel('cut.mendmodel', await mendModel((w) => w.subarray(0, 1000)));
    expect(cut.status).toBe(422);
    for (const m of [nan.body.message, cut.body.message]) {
      expect(m).not.toContain(userModels);
      expect(m).not.toContain(tmp);
    }
    const list = (await (await fetch(api('models'), { headers: auth() })).json()) as { source: string }[];
    expect(list.filter((m) => m.source === 'user')).toHaveLength(0);
  });
});

describe('paths', () => {
  it('a folder name longer than the file system allows is a usage error, not an internal one (found by the fuzz test)', async () => {
    const long = 'x'.repeat(300);
    for (const req of [
      fetch(api(`browse?path=${long}`), { headers: auth() }),
      fetch(api('images/open'), { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify({ path: `${long}/a.png` }) }),
    ]) {
      const res = await req;
      expect(res.status).toBe(400);
      const body = (await res.json()) as ApiError;
      expect(body.code).toBe('usage');
      expect(body.message).toMatch(/cannot be used: a name in it is too long$/);
    }
  });
});

describe('uploads', () => {
  it('a RAW upload LibRaw cannot read is refused under its name (not its preview); a grey photo with alpha keeps its alpha', async () => {
    const tiff = await sharp(await writeTemp()).tiff().toBuffer();
    const raw = await fetch(api('images?name=IMG_0001.NEF'), { method: 'POST', headers: auth(), body: new Uint8Array(tiff) });
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(((await raw.json()) as ApiError).message).toMatch(/^IMG_0001\.NEF: LibRaw does not recognise this file as a NEF camera raw file/);

    const px = Buffer.alloc(20 * 20 * 2);
    for (let i = 0; i < 400; i++) {
      px[2 * i] = i % 256;
      px[2 * i + 1] = i < 200 ? 255 : 0;
    }
    const greyAlpha = await sharp(px, { raw: { width: 20, height: 20, channels: 2 } }).toColourspace('b-w').png().toBuffer();
    const up = await fetch(api('images?name=scan.png'), { method: 'POST', headers: auth(), body: new Uint8Array(greyAlpha) });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ channels: 1, hasAlpha: true });
  });
});

async function writeTemp(size = 16): Promise<string> {
  const f = path.join(tmp, `plain-${size}.png`);
  await writeImage(f, { raster: naturalImage(size, size, 3, 5) });
  return f;
}

describe('training from the interface (defect 1)', () => {
  it('two trainings started at once under one name get two models; neither writes over the other', async () => {
    const client = new EngineClient({ workspaceDir: path.join(tmp, 'train-ws'), env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels }, stdio: 'ignore' });
    try {
      const image = await client.call('addImage', 'plain.png', await writeTemp(64));
      const spec: TrainJobSpec = { type: 'train', images: [image.id], name: 'Twin', arch: 'residual', variant: 'denoising', noise: 'gaussian:25', channels: 3, patch: 32, steps: 2, batch: 2 };
      const [a, b] = await Promise.all([client.startJob(spec, () => undefined).done, client.startJob(spec, () => undefined).done]);
      expect(new Set([a.model.id, b.model.id])).toEqual(new Set(['twin', 'twin-2']));
      for (const id of ['twin', 'twin-2']) expect(existsSync(path.join(userModels, id, 'card.json'))).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('a hung engine (defect 11)', () => {
  it('a call to a stopped engine times out with a message, and the engine is restarted', async () => {
    const workspace = path.join(tmp, 'hang-ws');
    const client = new EngineClient({ workspaceDir: workspace, env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels }, stdio: 'ignore', callTimeoutMs: 2000 });
    try {
      await client.call('info');
      const pid = client.pid!;
      process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      const err = await client.call('listModels').then(() => undefined, (e: ApiError) => e);
      expect(err?.code).toBe('engine-crashed');
      expect(err?.message).toContain('did not answer within 2 s');
      expect(Date.now() - t0).toBeLessThan(5000);
      const info = await client.call('info');
      expect(info.backend.name).toBeTruthy();
      expect(client.pid).not.toBe(pid);
      expect(() => process.kill(pid, 0)).toThrow(); // the stopped one was killed
    } finally {
      await client.close();
    }
  });
});
