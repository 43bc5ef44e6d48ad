// `mend serve` end to end: the compiled CLI, a real engine process, real models and files.
// Access control (token, Host header, roots), uploads, jobs over server-sent events, exports,
// model files, and a batch, through the same HTTP routes the web bridge uses.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import type { BatchResult, CorruptResult, DenoiseResult, ImageComparison, ImageInfo, JobResult, ModelSummary } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';
import { readEvents, serve, type Served, type SseMessage } from '../helpers/serve.js';

let tmp: string;
let root: string;
let userModels: string;
let server: Served;
let cleanPng: Buffer;

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });
const api = (p: string): string => `${server.origin}/api/${p}`;

async function json<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(api(p), {
    method,
    headers: { ...auth(), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function upload(name: string, data: Buffer): Promise<ImageInfo> {
  const res = await fetch(api(`images?name=${encodeURIComponent(name)}`), { method: 'POST', headers: auth(), body: new Uint8Array(data) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ImageInfo;
}

async function runJob<R extends JobResult>(spec: unknown, events: SseMessage[] = []): Promise<R> {
  const start = await json<{ id: string }>('POST', 'jobs', spec);
  expect(start.status).toBe(200);
  const msgs = await readEvents(api(`jobs/${start.body.id}/events?token=${server.token}`), (m) => events.push(m));
  const last = msgs.at(-1)!;
  if (last.event !== 'result') throw new Error(`job failed: ${JSON.stringify(last.data)}`);
  return last.data as R;
}

/** A request with any Host header (fetch will not send a forged one). */
function rawGet(p: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(server.origin);
  return new Promise((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-serve-test-'));
  root = path.join(tmp, 'root');
  userModels = path.join(tmp, 'user-models');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await writeImage(path.join(root, 'inside.png'), { raster: naturalImage(64, 64, 3, 1) });
  await writeImage(path.join(tmp, 'outside.png'), { raster: naturalImage(64, 64, 3, 2) });
  await symlink(path.join(tmp, 'outside.png'), path.join(root, 'link.png'));
  await symlink(tmp, path.join(root, 'linkdir'));
  cleanPng = await sharp(path.join(root, 'inside.png')).png().toBuffer();
  server = await serve(['--root', root], { MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels });
});

afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  await rm(tmp, { recursive: true, force: true });
});

describe('mend serve: access', () => {
  it('serves the interface with a strict CSP and refuses the API without the right token', async () => {
    const page = await fetch(`${server.origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    const none = await fetch(api('info'));
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await fetch(api('info'), { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(api(`info?token=${server.token}x`))).status).toBe(401);

    const ok = await json<{ mode: string; roots: string[]; backend: { name: string } }>('GET', 'info');
    expect(ok.status).toBe(200);
    expect(ok.body.mode).toBe('web');
    expect(ok.body.roots).toHaveLength(1);
    expect((await fetch(api(`models?token=${server.token}`))).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding), with or without the token', async () => {
    const port = new URL(server.origin).port;
    const evil = await rawGet('/api/info', { Host: `evil.example:${port}`, Authorization: `Bearer ${server.token}` });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).code).toBe('forbidden');
    expect((await rawGet('/', { Host: 'evil.example' })).status).toBe(403);
    expect((await rawGet('/api/info', { Host: `localhost:${port}`, Authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('opens and browses only inside --root: .., encoded .. and symlinks are refused', async () => {
    const inside = await json<ImageInfo>('POST', 'images/open', { path: path.join(root, 'inside.png') });
    expect(inside.status).toBe(200);
    expect(inside.body).toMatchObject({ name: 'inside.png', width: 64, height: 64 });

    for (const p of [path.join(root, '..', 'outside.png'), path.join(tmp, 'outside.png'), path.join(root, 'link.png'), path.join(root, 'linkdir', 'outside.png')]) {
      const r = await json<{ code: string; message: string }>('POST', 'images/open', { path: p });
      expect(r.status, p).toBe(403);
      expect(r.body.code).toBe('forbidden');
      expect(r.body.message).toMatch(/outside the shared folders/);
    }
    // %2e%2e in the query is decoded to '..' before the check, and refused.
    const enc = await fetch(`${api('browse')}?path=${encodeURIComponent(root)}%2F%2e%2e`, { headers: auth() });
    expect(enc.status).toBe(403);
    const viaLink = await json<{ code: string }>('GET', `browse?path=${encodeURIComponent(path.join(root, 'linkdir'))}`);
    expect(viaLink.status).toBe(403);

    const listing = await json<{ path: string; entries: { name: string; kind: string }[] }>('GET', 'browse');
    expect(listing.status).toBe(200);
    const names = listing.body.entries.map((e) => e.name);
    expect(names).toContain('inside.png');
    expect(names).toContain('sub');
    expect(names).not.toContain('link.png'); // points outside
    expect(names).not.toContain('linkdir');
  });

  it('gives a clear 4xx for uploads that are not images', async () => {
    const bad = await fetch(api('images?name=notes.png'), { method: 'POST', headers: auth(), body: 'just some text, not pixels' });
    expect(bad.status).toBe(415);
    const err = (await bad.json()) as { code: string; message: string };
    expect(err.code).toBe('not-an-image');
    expect(err.message).toMatch(/^notes\.png is not an image/);
    expect(err.message).not.toContain(os.tmpdir());
    const empty = await fetch(api('images?name=empty.jpg'), { method: 'POST', headers: auth(), body: '' });
    expect(empty.status).toBe(415);
    const truncated = await fetch(api('images?name=cut.png'), { method: 'POST', headers: auth(), body: new Uint8Array(cleanPng.subarray(0, 200)) });
    expect(truncated.status).toBe(422);
    expect(((await truncated.json()) as { message: string }).message).toMatch(/cut\.png is truncated or corrupt/);
  });
});

describe('mend serve: images and jobs', () => {
  let clean: ImageInfo;
  let corrupted: CorruptResult;
  let denoised: DenoiseResult;

  it('uploads an 8-bit PNG and serves view.png with the same pixels, and a thumbnail', async () => {
    clean = await upload('photo.png', cleanPng);
    expect(clean).toMatchObject({ role: 'original', width: 64, height: 64, channels: 3, bitDepth: 8, format: 'png' });
    const view = await fetch(`${api(`images/${clean.id}/view`)}?token=${server.token}`);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('image/png');
    const a = await sharp(Buffer.from(await view.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    const b = await sharp(cleanPng).raw().toBuffer({ resolveWithObject: true });
    expect(a.info).toMatchObject({ width: 64, height: 64, channels: 3 });
    expect(a.data.equals(b.data)).toBe(true);
    const thumb = await fetch(`${api(`images/${clean.id}/thumb`)}?token=${server.token}`);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('jpeg');
    expect((await fetch(`${api(`images/${clean.id}/view`)}`)).status).toBe(401);
  });

  it('corrupts and denoises through jobs streamed as server-sent events', async () => {
    corrupted = await runJob<CorruptResult>({ type: 'corrupt', image: clean.id, noise: 'gaussian:25', seed: 3 });
    expect(corrupted.image).toMatchObject({ role: 'corrupted', parent: clean.id, width: 64, height: 64 });
    expect(corrupted.comparison.psnr).toBeGreaterThan(18);
    expect(corrupted.comparison.psnr).toBeLessThan(23);

    const events: SseMessage[] = [];
    denoised = await runJob<DenoiseResult>({ type: 'denoise', image: corrupted.image.id, sigma: 25 }, events);
    expect(denoised.model).toBe('gray-unet'); // the registry's default colour denoiser (the luminance route)
    expect(events.some((e) => e.event === 'job' && (e.data as { type: string }).type === 'progress')).toBe(true);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));

    const noisy = await json<ImageComparison>('POST', 'compare', { reference: clean.id, image: corrupted.image.id });
    const out = await json<ImageComparison>('POST', 'compare', { reference: clean.id, image: denoised.image.id });
    expect(out.body.psnr).toBeGreaterThan(noisy.body.psnr + 2);
    expect(out.body.ssim).toBeGreaterThan(noisy.body.ssim);

    const diff = await fetch(`${api('diff')}?a=${clean.id}&b=${denoised.image.id}&gain=4&token=${server.token}`);
    expect((await sharp(Buffer.from(await diff.arrayBuffer())).metadata()).width).toBe(64);
  });

  it('reports a failing job on the stream as a failure event', async () => {
    const start = await json<{ id: string }>('POST', 'jobs', { type: 'denoise', image: 'AAAAAAAAAAAAAAAA', sigma: 'auto' });
    const msgs = await readEvents(api(`jobs/${start.body.id}/events?token=${server.token}`));
    expect(msgs.at(-1)).toMatchObject({ event: 'failure', data: { code: 'not-found' } });
  });

  it('refuses a malformed job or export body with 400 and a one-line reason, before the engine sees it', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['jobs', { type: 'denoise', image: 'AAAAAAAAAAAAAAAA', sigma: 'auto', strength: 2 }, /the body has an unexpected key "strength"/],
      ['jobs', { type: 'denoise', image: 'AAAAAAAAAAAAAAAA', sigma: 300 }, /the body\.sigma must be a number from 0 to 255/],
      ['jobs', { type: 'denoise', image: '../../etc/passwd', sigma: 'auto' }, /the body\.image is not a valid id/],
      ['jobs', { type: 'denoise', image: 'AAAAAAAAAAAAAAAA', sigma: 'auto', passes: 3 }, /the body\.passes must be 1, 2, 4 or 8/],
      ['jobs', { type: 'shell', cmd: 'rm -rf /' }, /the body\.type must be one of denoise, inpaint/],
      ['jobs', { type: 'batch', task: 'denoise', images: 'AAAAAAAAAAAAAAAA' }, /the body\.images must be a list/],
      ['export', { image: 'AAAAAAAAAAAAAAAA', format: 'exe', keepMetadata: true, fileName: 'a' }, /the body\.format must be one of jpeg/],
      ['compare', { reference: 'AAAAAAAAAAAAAAAA' }, /the body\.image is missing/],
    ];
    for (const [route, body, reason] of cases) {
      const r = await json<{ code: string; message: string }>('POST', route, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('usage');
      expect(r.body.message).toMatch(reason);
      expect(r.body.message).not.toContain('\n');
      expect(r.body.message.length).toBeLessThan(200);
    }
    // A well-formed job with passes (the Edit page's) is taken.
    const ok = await json<{ id: string }>('POST', 'jobs', { type: 'denoise', image: 'AAAAAAAAAAAAAAAA', sigma: 'auto', passes: 2 });
    expect(ok.status).toBe(200);
  });

  it('exports a blended download with the right name, format and size', async () => {
    const res = await fetch(api('export'), {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: denoised.image.id, base: corrupted.image.id, strength: 0.5, source: clean.id, format: 'jpeg', quality: 90, keepMetadata: true, fileName: 'photo.mend.png' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('filename="photo.mend.jpg"');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 64, height: 64 });

    const png16 = await fetch(api('export'), {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: denoised.image.id, format: 'png', depth: 16, keepMetadata: false, fileName: 'out' }),
    });
    const m16 = await sharp(Buffer.from(await png16.arrayBuffer())).metadata();
    expect(m16).toMatchObject({ format: 'png', width: 64, height: 64, depth: 'ushort' });
  });

  it('runs a batch over three uploaded images into a downloadable workspace folder', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const pixels = Uint8Array.from(naturalImage(48, 40, 3, 10 + i).data, (v) => Math.round(v * 255));
      const png = await sharp(pixels, { raw: { width: 48, height: 40, channels: 3 } }).png().toBuffer();
      ids.push((await upload(`shot-${i}.png`, png)).id);
    }
    const files: SseMessage[] = [];
    const result = await runJob<BatchResult>({ type: 'batch', task: 'denoise', images: ids, sigma: 15 }, files);
    expect(result).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0 });
    expect(result.outDir).toMatch(/^workspace:/);
    expect(result.outputs.sort()).toEqual(['shot-0.png', 'shot-1.png', 'shot-2.png']);
    const fileEvents = files.filter((e) => (e.data as { type: string }).type === 'file');
    expect(fileEvents.map((e) => (e.data as { input: string }).input).sort()).toEqual(['shot-0.png', 'shot-1.png', 'shot-2.png']);
    const dl = await fetch(`${api('batch-output')}?dir=${encodeURIComponent(result.outDir)}&name=shot-1.png&token=${server.token}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain('attachment');
    expect((await sharp(Buffer.from(await dl.arrayBuffer())).metadata()).width).toBe(48);
    const sneaky = await fetch(`${api('batch-output')}?dir=${encodeURIComponent(result.outDir)}&name=../../images&token=${server.token}`);
    expect(sneaky.status).toBe(403);
  });

  it('cancels a running job through the control route', async () => {
    const start = await json<{ id: string }>('POST', 'jobs', {
      type: 'train', images: [clean.id], name: 'Cancelled over HTTP', arch: 'residual', variant: 'denoising', channels: 3, patch: 32, steps: 100000, batch: 4,
    });
    let cancelled = false;
    const msgs = await readEvents(api(`jobs/${start.body.id}/events?token=${server.token}`), (m) => {
      const d = m.data as { type?: string; stage?: string };
      if (!cancelled && d.type === 'progress' && d.stage === 'train') {
        cancelled = true;
        void fetch(api(`jobs/${start.body.id}/cancel`), { method: 'POST', headers: auth() });
      }
    });
    expect(msgs.at(-1)).toMatchObject({ event: 'failure', data: { code: 'cancelled' } });
    expect(existsSync(path.join(userModels, 'cancelled-over-http', 'checkpoint', 'state.json'))).toBe(true);
  });

  it('removes an image', async () => {
    expect((await json('DELETE', `images/${denoised.image.id}`)).status).toBe(204);
    expect((await fetch(`${api(`images/${denoised.image.id}/view`)}?token=${server.token}`)).status).toBe(404);
  });
});

describe('mend serve: models', () => {
  it('exports a model, imports it as a user model, renames and deletes it; shipped ones stay read-only', async () => {
    const res = await fetch(api('models/gray-denoise/export'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('gray-denoise.mendmodel');
    const bytes = Buffer.from(await res.arrayBuffer());
    const doc = JSON.parse(bytes.toString('utf8')) as { format: string; version: number; files: Record<string, string> };
    expect(doc).toMatchObject({ format: 'mendmodel', version: 1 });
    expect(Object.keys(doc.files).sort()).toEqual(['card.json', 'card.md', 'model.json', 'weights.bin']);

    const imp = await fetch(api('models/import?name=gray-denoise.mendmodel'), { method: 'POST', headers: auth(), body: bytes });
    expect(imp.status, await imp.clone().text()).toBe(200);
    const model = (await imp.json()) as ModelSummary;
    expect(model).toMatchObject({ source: 'user', task: 'denoise', channels: 1, isDefault: false });
    expect(model.id).not.toBe('gray-denoise');
    expect(existsSync(path.join(userModels, model.id, 'weights.bin'))).toBe(true);

    const renamed = await json<ModelSummary>('POST', `models/${model.id}/rename`, { name: 'My grey model' });
    expect(renamed.body).toMatchObject({ id: model.id, name: 'My grey model' });
    const details = await json<{ markdown: string; summary: ModelSummary }>('GET', `models/${model.id}`);
    expect(details.body.summary.name).toBe('My grey model');
    expect(details.body.markdown).toContain('My grey model');

    expect((await json<{ code: string }>('DELETE', 'models/gray-denoise')).status).toBe(403);
    expect((await json<{ code: string }>('POST', 'models/gray-denoise/rename', { name: 'x' })).status).toBe(403);
    expect((await json('DELETE', `models/${model.id}`)).status).toBe(204);
    const list = await json<ModelSummary[]>('GET', 'models');
    expect(list.body.map((m) => m.id)).not.toContain(model.id);
    expect(list.body.map((m) => m.id)).toContain('gray-denoise');
  });

  it('refuses model files with paths or junk in them, and leaves nothing behind', async () => {
    const evil = { format: 'mendmodel', version: 1, files: { '../escape.json': 'e30=', 'card.json': 'e30=' } };
    const r1 = await fetch(api('models/import?name=evil.mendmodel'), { method: 'POST', headers: auth(), body: JSON.stringify(evil) });
    expect(r1.status).toBe(422);
    expect(((await r1.json()) as { message: string }).message).toMatch(/unexpected file/);
    const r2 = await fetch(api('models/import?name=junk.mendmodel'), { method: 'POST', headers: auth(), body: 'not json' });
    expect(r2.status).toBe(422);
    const r3 = await fetch(api('models/import?name=nocard.mendmodel'), {
      method: 'POST', headers: auth(), body: JSON.stringify({ format: 'mendmodel', version: 1, files: { 'model.json': 'e30=', 'weights.bin': '', 'card.json': 'e30=' } }),
    });
    expect(r3.status).toBe(422);
    expect(existsSync(path.join(tmp, 'escape.json'))).toBe(false);
    const left = existsSync(userModels) ? await readdir(userModels) : [];
    expect(left.filter((n) => n !== 'cancelled-over-http')).toEqual([]);
  });
});

describe('mend serve without --root', () => {
  it('refuses server paths with a clear message', async () => {
    const bare = await serve([], { MEND_BACKEND: 'wasm', MEND_USER_MODELS: userModels });
    try {
      const res = await fetch(`${bare.origin}/api/browse`, { headers: { Authorization: `Bearer ${bare.token}` } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/--root/);
      const open = await fetch(`${bare.origin}/api/images/open`, {
        method: 'POST', headers: { Authorization: `Bearer ${bare.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ path: path.join(root, 'inside.png') }),
      });
      expect(open.status).toBe(403);
    } finally {
      expect(await bare.stop()).toBe(0);
    }
  });
});

