// The desktop app's two protocols: mend-image:// (src-main/app/image-protocol.ts) serves
// workspace images and batch outputs in granted folders only; app:// (app-protocol.ts) serves
// the built interface with the CSP header. Traversal, percent-encoded tricks and symbolic links
// that point out of the allowed folders are refused. Real files in a temp folder.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppAsset } from '../../../src-main/app/app-protocol.js';
import { Grants } from '../../../src-main/app/grants.js';
import { imageHeaders, parseImageUrl, resolveImageRequest, type ImageSource } from '../../../src-main/app/image-protocol.js';
import { batchOutputUrl, diffUrl, imageUrl } from '../../../src-main/app/ipc-contract.js';
import { DESKTOP_CSP } from '../../../src-main/app/security.js';

const ID = 'abcdefgh1234';
let tmp: string;
let ws: string;
let outside: string;
let granted: string;
let renderer: string;
let src: ImageSource;
let grants: Grants;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-protocol-test-'));
  ws = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  granted = path.join(tmp, 'granted');
  renderer = path.join(tmp, 'renderer');
  await mkdir(path.join(ws, 'images', ID), { recursive: true });
  await mkdir(path.join(ws, 'batches', ID), { recursive: true });
  await mkdir(path.join(ws, 'diffs'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await mkdir(path.join(granted, 'out'), { recursive: true });
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(ws, 'images', ID, 'view.png'), 'view');
  await writeFile(path.join(ws, 'images', ID, 'thumb.jpg'), 'thumb');
  await writeFile(path.join(ws, 'batches', ID, 'a.png'), 'batch');
  await writeFile(path.join(ws, 'diffs', 'd.png'), 'diff');
  await writeFile(path.join(outside, 'secret.png'), 'secret');
  await writeFile(path.join(granted, 'out', 'b.png'), 'granted');
  // Not images: a granted folder may hold these too, mend-image must not serve them.
  await writeFile(path.join(granted, 'out', 'notes.txt'), 'private notes');
  await writeFile(path.join(granted, 'out', 'id_rsa'), 'key');
  await writeFile(path.join(granted, 'out', 'page.html'), '<script>alert(1)</script>');
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html>');
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'export {}');
  await writeFile(path.join(renderer, '.env'), 'SECRET=1');
  await writeFile(path.join(tmp, 'sibling.txt'), 'sibling');
  // A workspace image whose view is a link to a file outside, and a linked image folder.
  const linked = 'linkedimg1234';
  await mkdir(path.join(ws, 'images', linked));
  await symlink(path.join(outside, 'secret.png'), path.join(ws, 'images', linked, 'view.png'));
  await symlink(outside, path.join(ws, 'images', 'linkeddir1234'));
  await symlink(outside, path.join(granted, 'out', 'escape'));
  grants = new Grants();
  await grants.grantFolder(path.join(granted, 'out'));
  src = {
    workspaceDir: ws,
    diffImage: async () => path.join(ws, 'diffs', 'd.png'),
    // As the engine: the file named under the folder (the engine's own checks are not relied on here).
    batchOutputFile: async (dir, name) => (dir.startsWith('workspace:') ? path.join(ws, 'batches', dir.slice(10), name) : path.join(dir, name)),
    checkFolder: (dir) => grants.check(dir, 'Folder'),
  };
}, 30_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function served(url: string): Promise<string | number> {
  const r = await resolveImageRequest(url, 'GET', src);
  return r.ok ? path.relative(tmp, r.file) : r.status;
}

describe('mend-image:// parsing', () => {
  it('understands the URLs the preload builds', () => {
    expect(parseImageUrl(imageUrl(ID, 'thumb'))).toEqual({ ok: true, request: { kind: 'image', id: ID, variant: 'thumb' } });
    expect(parseImageUrl(diffUrl(ID, 'zyxwvuts9876', 8))).toEqual({ ok: true, request: { kind: 'diff', a: ID, b: 'zyxwvuts9876', gain: 8 } });
    expect(parseImageUrl(batchOutputUrl(`workspace:${ID}`, 'sub/a b.png'))).toEqual({ ok: true, request: { kind: 'batch-output', dir: `workspace:${ID}`, name: 'sub/a b.png' } });
  });

  it('refuses other hosts, methods, ids and encoded separators or dots', () => {
    for (const url of [
      `mend-image://other/image/${ID}/view`,
      `mend-image://user:pw@workspace/image/${ID}/view`,
      `mend-image://workspace/image/${ID}/original`,
      'mend-image://workspace/image/../../etc/view',
      'mend-image://workspace/image/..%2F..%2Fetc/view',
      'mend-image://workspace/image/%2e%2e/view',
      'mend-image://workspace/image/abc%5Cdefghij/view',
      'mend-image://workspace/image/abcdefgh%00/view',
      'mend-image://workspace/image/%252e%252e%252fetc/view',
      `mend-image://workspace/image/${ID}/view/extra`,
      `mend-image://workspace/diff/${ID}/../x`,
      'mend-image://workspace/batch-output?dir=/tmp&name=../secret.png',
      'mend-image://workspace/batch-output?dir=/tmp&name=/etc/passwd',
      'mend-image://workspace/batch-output?dir=/tmp&name=C:%5Cwindows%5Cx',
      'mend-image://workspace/batch-output?dir=/tmp&name=a%5C..%5C..%5Cx',
      'mend-image://workspace/batch-output?dir=/tmp&name=x%00.png',
      'mend-image://workspace/file/etc/passwd',
      'https://workspace/image/abcdefgh1234/view',
      'not a url',
    ]) expect(parseImageUrl(url).ok, url).toBe(false);
    expect(parseImageUrl(imageUrl(ID), 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(parseImageUrl(diffUrl(ID, ID, Number.POSITIVE_INFINITY))).toMatchObject({ ok: false, status: 400 });
  });
});

describe('mend-image:// serving', () => {
  it('serves workspace views, thumbnails, differences and batch outputs', async () => {
    expect(await served(imageUrl(ID))).toBe(path.join('ws', 'images', ID, 'view.png'));
    expect(await served(imageUrl(ID, 'thumb'))).toBe(path.join('ws', 'images', ID, 'thumb.jpg'));
    expect(await served(diffUrl(ID, ID, 4))).toBe(path.join('ws', 'diffs', 'd.png'));
    expect(await served(batchOutputUrl(`workspace:${ID}`, 'a.png'))).toBe(path.join('ws', 'batches', ID, 'a.png'));
    expect(await served(batchOutputUrl(path.join(granted, 'out'), 'b.png'))).toBe(path.join('granted', 'out', 'b.png'));
  });

  it('refuses a folder the user did not grant, and unknown images', async () => {
    expect(await served(batchOutputUrl(outside, 'secret.png'))).toBe(403);
    expect(await served(batchOutputUrl(tmp, 'sibling.txt'))).toBe(403);
    expect(await served(batchOutputUrl(path.join(granted, 'out', '..', '..', 'outside'), 'secret.png'))).toBe(403);
    expect(await served(imageUrl('unknownid1234'))).toBe(404);
  });

  it('serves only image types from a granted folder', async () => {
    for (const name of ['notes.txt', 'id_rsa', 'page.html']) expect(await served(batchOutputUrl(path.join(granted, 'out'), name)), name).toBe(404);
    expect(await served(batchOutputUrl(path.join(granted, 'out'), 'b.png'))).toBe(path.join('granted', 'out', 'b.png'));
  });

  it('refuses symbolic links that lead out of the workspace or a granted folder', async () => {
    expect(await served(imageUrl('linkedimg1234'))).toBe(404);
    expect(await served(imageUrl('linkeddir1234'))).toBe(404);
    // The link lies inside the granted folder, its target does not.
    expect(await served(batchOutputUrl(path.join(granted, 'out'), 'escape/secret.png'))).toBe(404);
    expect(await served(batchOutputUrl(path.join(granted, 'out', 'escape'), 'secret.png'))).toBe(403);
  });

  it('refuses a file the engine names outside the allowed folder', async () => {
    const lying: ImageSource = { ...src, diffImage: async () => path.join(outside, 'secret.png'), batchOutputFile: async () => path.join(outside, 'secret.png') };
    expect((await resolveImageRequest(diffUrl(ID, ID, 1), 'GET', lying)).ok).toBe(false);
    expect((await resolveImageRequest(batchOutputUrl(`workspace:${ID}`, 'a.png'), 'GET', lying)).ok).toBe(false);
  });

  it('answers with CORS for the app origin only and no sniffing', () => {
    const h = imageHeaders('/ws/images/x/view.png', false);
    expect(h['Content-Type']).toBe('image/png');
    expect(h['Access-Control-Allow-Origin']).toBe('app://mend');
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(imageHeaders('/out/a b.jpg', true)['Content-Disposition']).toBe("attachment; filename*=UTF-8''a%20b.jpg");
  });
});

describe('app:// serving', () => {
  const get = async (url: string, method = 'GET') => resolveAppAsset(url, method, renderer);

  it('serves the interface with the CSP header', async () => {
    for (const url of ['app://mend/', 'app://mend/index.html']) {
      const r = await get(url);
      expect(r.ok, url).toBe(true);
      if (r.ok) {
        expect(r.file).toBe(path.join(renderer, 'index.html'));
        expect(r.headers['Content-Security-Policy']).toBe(DESKTOP_CSP);
        expect(r.headers['Content-Type']).toMatch(/text\/html/);
      }
    }
    const js = await get('app://mend/assets/app.js');
    expect(js.ok && js.headers['Content-Type']).toMatch(/javascript/);
  });

  it('refuses traversal, dot files, other hosts and methods', async () => {
    for (const url of ['app://mend/../sibling.txt', 'app://mend/%2e%2e/sibling.txt', 'app://mend/assets/..%2f..%2fsibling.txt', 'app://mend/.env',
      'app://mend/assets%5c..%5c..%5csibling.txt', 'app://mend/index.html%00.js', 'app://other/index.html', 'app://mend/missing.js']) {
      const r = await get(url);
      expect(r.ok, url).toBe(false);
      if (!r.ok) expect(r.headers['Content-Security-Policy']).toBe(DESKTOP_CSP);
    }
    expect(await get('app://mend/index.html', 'POST')).toMatchObject({ ok: false, status: 405 });
  });
});
