// Fuzzing the CLI and the web API (issue 20) with random and truncated files, random option
// values and random JSON bodies, for a bounded time (about 12 s each). Every case must end with
// a clear message and an exit code or HTTP status (no stack trace, no "internal error"), write
// nothing outside its output folder and leave its inputs as they were. The seed is printed; set
// MEND_FUZZ_SEED to replay a run (or to 'random'), MEND_FUZZ_SECONDS for a longer one.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';
import { naturalImage } from '../helpers/synthetic.js';

// A fixed seed by default, so a CI run is repeatable (a random one found the folder-named-like-a-
// photo bug, now in cli-raw.test.ts); MEND_FUZZ_SEED=random explores new cases.
const SEED = process.env.MEND_FUZZ_SEED === 'random' ? Date.now() % 1_000_000 : Number(process.env.MEND_FUZZ_SEED ?? 322564);
/** MEND_FUZZ_SECONDS=N runs each half for N seconds (a longer hunt by hand). */
const CLI_SECONDS = Number(process.env.MEND_FUZZ_SECONDS ?? 12);
const API_SECONDS = Number(process.env.MEND_FUZZ_SECONDS ?? 8);
/** Valid jobs sent once each before the random requests (VALID below). */
const VALID_JOBS = 5;

/** mulberry32: small, seeded, good enough to pick cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let tmp: string;
let samples: { png: Buffer; jpeg: Buffer; tiff: Buffer; webp: Buffer; grey: Buffer };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-fuzz-'));
  const f = path.join(tmp, 'sample.png');
  await writeImage(f, { raster: naturalImage(40, 32, 3, 7) });
  const png = await readFile(f);
  samples = {
    png,
    jpeg: await sharp(png).jpeg().toBuffer(),
    tiff: await sharp(png).tiff().toBuffer(),
    webp: await sharp(png).webp().toBuffer(),
    grey: await sharp(png).greyscale().png().toBuffer(),
  };
  console.log(`fuzz seed ${SEED} (MEND_FUZZ_SEED=${SEED} replays it)`);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** path (relative to `dir`) -> sha256 of every file under `dir`. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.set(path.relative(dir, full), createHash('sha256').update(await readFile(full)).digest('hex'));
    }
  };
  await walk(dir);
  return out;
}

/** A random value as query text (an object with a "constructor" key has no String()). */
const asText = (v: unknown): string => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));

/** What an event stream sends until it ends, or `ms` have passed. */
async function readFor(url: string, ms: number): Promise<string> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  let text = '';
  try {
    const res = await fetch(url, { signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/event: (result|failure)\n/.test(text)) break;
    }
    await reader.cancel().catch(() => undefined);
  } catch {
    // timed out: what arrived is what there is
  } finally {
    clearTimeout(timer);
  }
  return text;
}

/** One clear line, no stack trace, no internal error. */
function expectClearFailure(text: string, what: string): void {
  expect(text, what).not.toMatch(/\n\s+at \S+ \(|internal error|TypeError|RangeError|ReferenceError/);
}

// (A command line cannot hold a NUL byte; the API's values add one.)
const VALUES = ['', ' ', '-1', '0', '1', '0.5', '2', '25', '255', '256', 'NaN', 'Infinity', '1e309', '0x1f', 'abc', '-', '--', '9'.repeat(40), 'auto', 'ü', '../x', '8', '64'];
const OPTIONS: Record<string, string[]> = {
  denoise: ['--sigma', '--strength', '--passes', '--quality', '--depth', '--format', '--tile', '--model'],
  inpaint: ['--quality', '--depth', '--format', '--tile', '--model'],
  anomaly: ['--threshold', '--sigma', '--model'],
  corrupt: ['--noise', '--jpeg', '--damage', '--seed', '--quality', '--depth', '--format'],
  batch: ['--sigma', '--strength', '--passes', '--format', '--quality', '--depth', '--jobs', '--tile', '--task'],
};

/** A random input file: a good image, a truncated one, random bytes, an empty file or a folder. */
async function randomInput(r: () => number, dir: string, name: string): Promise<string> {
  const kinds = Object.keys(samples) as (keyof typeof samples)[];
  const kind = kinds[Math.floor(r() * kinds.length)]!;
  const ext = { png: 'png', jpeg: 'jpg', tiff: 'tif', webp: 'webp', grey: 'png' }[kind];
  const file = path.join(dir, `${name}.${r() < 0.1 ? 'dng' : ext}`);
  const roll = r();
  if (roll < 0.45) await writeFile(file, samples[kind]);
  else if (roll < 0.7) await writeFile(file, samples[kind].subarray(0, Math.floor(r() * samples[kind].length)));
  else if (roll < 0.85) await writeFile(file, Buffer.from(Array.from({ length: Math.floor(r() * 3000) }, () => Math.floor(r() * 256))));
  else if (roll < 0.93) await writeFile(file, '');
  else await mkdir(file);
  return file;
}

async function cliCase(r: () => number, n: number): Promise<void> {
  const dir = path.join(tmp, `cli-${n}`);
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  await mkdir(inDir, { recursive: true });
  await mkdir(outDir);
  const commands = Object.keys(OPTIONS);
  const command = commands[Math.floor(r() * commands.length)]!;
  const input = await randomInput(r, inDir, 'photo');
  const args = [command];
  if (command === 'batch') args.push(r() < 0.5 ? inDir : input, '-o', path.join(outDir, 'batch'));
  else args.push(input, '-o', path.join(outDir, `result.${['png', 'jpg', 'tif', 'webp', 'xyz'][Math.floor(r() * 5)]}`));
  if (command === 'inpaint' || (command === 'batch' && args.includes('inpaint'))) args.push('--mask', await randomInput(r, inDir, 'mask'));
  if (command === 'corrupt' && r() < 0.7) args.push('--noise', ['gaussian:25', 'gaussian:', 'poisson-gaussian:0.01,0.0004', 'salt-pepper:2', 'x:1'][Math.floor(r() * 5)]!);
  for (let k = Math.floor(r() * 4); k > 0; k--) {
    const opts = OPTIONS[command]!;
    args.push(opts[Math.floor(r() * opts.length)]!, VALUES[Math.floor(r() * VALUES.length)]!);
  }
  const before = await snapshot(inDir);
  const res = await runMend(args, { env: { MEND_BACKEND: 'wasm' }, timeoutMs: 60_000 });
  const what = `seed ${SEED} case ${n}: mend ${args.map((a) => JSON.stringify(a)).join(' ')}\n${res.stderr}`;
  expect([0, 1, 2], what).toContain(res.code);
  if (res.code !== 0) {
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('mend:'));
    // A batch whose files failed ends with its summary (exit 1), each failure with its reason.
    if (command === 'batch' && res.code === 1 && lines.length === 0) expect(res.stdout, what).toMatch(/\nFailed:\n {2}\S.*: \S/);
    else expect(lines, what).toHaveLength(1);
    expectClearFailure(res.stderr + res.stdout, what);
  }
  // Inputs unchanged, and nothing new beside them: outputs only under out/.
  expect(await snapshot(inDir), what).toEqual(before);
  const top = (await readdir(dir)).sort();
  expect(top, what).toEqual(['in', 'out']);
}

describe('fuzz', () => {
  it(`the CLI: random commands, files and option values for ${CLI_SECONDS} s`, async () => {
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < CLI_SECONDS * 1000) {
      // Three at a time: most of a case is the process starting (loading TensorFlow.js).
      const batch = [++n, ++n, ++n];
      await Promise.all(batch.map((k) => cliCase(rng(SEED + 1000 * k), k)));
    }
    console.log(`fuzz: ${n} CLI cases`);
    expect(n).toBeGreaterThan(4);
  }, CLI_SECONDS * 1000 + 90_000);

  it(`the web API: random routes, queries, JSON bodies and uploads for ${API_SECONDS} s`, async () => {
    const root = path.join(tmp, 'root');
    const outside = path.join(tmp, 'outside');
    await mkdir(path.join(root, 'photos'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(root, 'photos', 'a.png'), samples.png);
    await writeFile(path.join(root, 'photos', 'cut.jpg'), samples.jpeg.subarray(0, 200));
    await writeFile(path.join(outside, 'secret.png'), samples.png);
    const rootBefore = await snapshot(root);
    const outsideBefore = await snapshot(outside);
    const server: Served = await serve(['--root', root], { MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(tmp, 'user-models') });
    const r = rng(SEED + 7);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    const randomValue = (depth = 0): unknown => {
      const roll = r();
      if (roll < 0.15) return pick([...VALUES, '\u0000', 'a\u0000b']);
      if (roll < 0.3) return (r() - 0.5) * 10 ** Math.floor(r() * 12);
      if (roll < 0.38) return pick([null, true, false, Number.MAX_SAFE_INTEGER, -0]);
      if (roll < 0.5) return pick(['a.png', 'photos', 'photos/a.png', '../outside/secret.png', '/etc/passwd', `${outside}/secret.png`, 'photos/../../outside', 'workspace:x']);
      if (roll < 0.6 && depth < 3) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(depth + 1));
      if (roll < 0.8 && depth < 3) return randomObject(depth + 1);
      return pick(['denoise', 'inpaint', 'batch', 'train', 'anomaly', 'corrupt', 'lab', 'same', 'png', 'gaussian:25', 'scratches']);
    };
    const KEYS = ['type', 'task', 'image', 'images', 'paths', 'path', 'outDir', 'sigma', 'strength', 'passes', 'mask', 'model', 'format', 'quality', 'depth',
      'recursive', 'name', 'reference', 'noise', 'damage', 'seed', 'steps', 'batch', 'patch', 'arch', '__proto__', 'constructor', 'id', 'threshold'];
    function randomObject(depth = 0): Record<string, unknown> {
      const o: Record<string, unknown> = {};
      for (let k = Math.floor(r() * 6); k > 0; k--) o[pick(KEYS)] = randomValue(depth);
      if (r() < 0.7) o.type = pick(['denoise', 'inpaint', 'anomaly', 'corrupt', 'batch', 'lab', 'train', 'nope']);
      return o;
    }
    const ROUTES: [string, string][] = [
      ['GET', 'info'], ['POST', 'images'], ['POST', 'images/open'], ['GET', 'images/x/view'], ['DELETE', 'images/x'], ['GET', 'diff'], ['POST', 'compare'],
      ['GET', 'browse'], ['POST', 'jobs'], ['POST', 'jobs/x/cancel'], ['POST', 'export'], ['GET', 'batch-output'], ['GET', 'models'], ['POST', 'models/import'],
      ['GET', 'models/gray-lite'], ['POST', 'models/x/rename'], ['DELETE', 'models/gray-lite'], ['GET', 'models/x/export'], ['PUT', 'info'], ['GET', 'nope'],
    ];
    const jobs: string[] = [];
    let requests = 0;
    let ended = 0;
    try {
      // Valid jobs with one field changed reach the engine (wholly random ones stop at the schema).
      const up = await fetch(`${server.origin}/api/images?name=a.png`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: new Uint8Array(samples.png) });
      const imageId = ((await up.json()) as { id: string }).id;
      const VALID: Record<string, unknown>[] = [
        { type: 'denoise', image: imageId, sigma: 10 },
        { type: 'anomaly', image: imageId },
        { type: 'corrupt', image: imageId, noise: 'gaussian:10' },
        { type: 'batch', task: 'denoise', paths: ['photos'], outDir: 'out', sigma: 10 },
        { type: 'batch', task: 'denoise', images: [imageId], sigma: 'auto' },
      ];
      // A job's end (or its first seconds): a failure is a clear message too.
      const followJob = async (id: string, what: string, ms = 4000): Promise<void> => {
        jobs.push(id);
        const events = await readFor(`${server.origin}/api/jobs/${id}/events?token=${server.token}`, ms);
        const failure = /event: failure\ndata: (.*)/.exec(events);
        if (failure) {
          const err = JSON.parse(failure[1]!) as { code: string; message: string };
          expect(err.code, `${what}\n${failure[1]}`).not.toBe('internal');
          expectClearFailure(err.message, `${what}\n${failure[1]}`);
          expect(err.message, what).not.toMatch(/mend-serve-|user-models/);
        }
        if (/event: (result|failure)/.test(events)) ended++;
      };
      // Each valid job once, so every run reaches the engine's job code whatever the seed.
      for (const spec of VALID) {
        const res = await fetch(`${server.origin}/api/jobs`, {
          method: 'POST', body: JSON.stringify(spec), headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        });
        const text = await res.text();
        expect(res.status, text).toBe(200);
        await followJob((JSON.parse(text) as { id: string }).id, `valid job ${JSON.stringify(spec)}`, 15_000);
      }
      const t0 = Date.now();
      while (Date.now() - t0 < API_SECONDS * 1000) {
        const [method, route] = pick(ROUTES);
        const query = r() < 0.5 ? `?${pick(['path', 'name', 'a', 'b', 'dir', 'gain'])}=${encodeURIComponent(asText(randomValue()))}` : '';
        let body: Buffer | string | undefined;
        if (method === 'POST' || method === 'PUT') {
          const roll = r();
          if (route === 'images' || route === 'models/import') {
            const s = pick(Object.values(samples));
            body = roll < 0.4 ? s : roll < 0.8 ? s.subarray(0, Math.floor(r() * s.length)) : JSON.stringify({ format: 'mendmodel', version: 1, files: randomObject() });
          } else if (route === 'jobs' && roll < 0.5) {
            const spec: Record<string, unknown> = { ...pick(VALID) };
            if (roll < 0.4) spec[pick(KEYS)] = randomValue();
            body = JSON.stringify(spec);
          } else body = roll < 0.85 ? JSON.stringify(roll < 0.1 ? randomValue() : randomObject()) : roll < 0.93 ? '{"type": "den' : '\u0000\u00ff{';
        }
        const res = await fetch(`${server.origin}/api/${route}${query}`, {
          method, body: typeof body === 'object' ? new Uint8Array(body) : body, headers: { Authorization: `Bearer ${server.token}`, ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}) },
        });
        requests++;
        const text = await res.text();
        const what = `seed ${SEED} request ${requests}: ${method} ${route}${query} ${String(body).slice(0, 300)}\n-> ${res.status} ${text.slice(0, 500)}`;
        expect(res.status, what).toBeLessThan(600);
        // The server's own folders (its workspace, the models folder) are never shown; paths the
        // request named may be.
        if (res.status >= 400) {
          const err = JSON.parse(text) as { code: string; message: string };
          expect(typeof err.message, what).toBe('string');
          expect(err.code, what).not.toBe('internal');
          expectClearFailure(err.message, what);
          expect(err.message, what).not.toMatch(/mend-serve-|user-models/);
        } else if (route === 'jobs') await followJob((JSON.parse(text) as { id: string }).id, what);
      }
      for (const id of jobs) await fetch(`${server.origin}/api/jobs/${id}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` } });
      // Still serving, and the shared folder and the folder beside it are as they were.
      expect((await fetch(`${server.origin}/api/info`, { headers: { Authorization: `Bearer ${server.token}` } })).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    console.log(`fuzz: ${requests} API requests, ${jobs.length} jobs accepted, ${ended} of them ended within 4 s`);
    expect(ended).toBeGreaterThanOrEqual(VALID_JOBS);
    expect(jobs.length).toBeGreaterThanOrEqual(VALID_JOBS);
    expect(await snapshot(outside)).toEqual(outsideBefore);
    // Batches may have written outputs under the root (that is what they are for); inputs stay.
    const rootAfter = await snapshot(root);
    for (const [file, hash] of rootBefore) expect(rootAfter.get(file), file).toBe(hash);
    expect((await stat(path.join(outside, 'secret.png'))).isFile()).toBe(true);
  }, API_SECONDS * 1000 + 90_000);
});
