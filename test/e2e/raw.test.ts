/**
 * End-to-end, issue 24: a camera RAW photo in the Edit page, in Debian's Chromium against a real
 * `mend serve`. A DNG Mend writes itself (a clean picture unprocessed to a noisy Bayer mosaic) is
 * dropped, shows as its default rendering at its size, Denoise runs (the raw route in the engine),
 * and Export offers and defaults to a linear DNG, which downloads and passes exiftool's validation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/math/rng.js';
import { LINEAR_RAW_PHOTOMETRIC, writeCfaDng } from '../../src-main/core/raw/dng.js';
import { nums, parseTiff } from '../../src-main/core/raw/tiff.js';
import { unprocess } from '../../src-main/core/raw/unprocess.js';
import { naturalImage } from '../helpers/synthetic.js';
import { serve, type Served } from '../helpers/serve.js';
import { dropFiles, launchBrowser, openApp, screenshot } from './harness.js';

let dir = '';
let server: Served;
let browser: Browser;
let page: Page;
const W = 160, H = 128;
const jobs: { type: string; image?: string; model?: string; amount?: number; detail?: number }[] = [];
const exports: { format: string; fileName: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-e2e-24-'));
  server = await serve(['--root', dir], { MEND_USER_MODELS: path.join(dir, 'user-models') });
  browser = await launchBrowser();
  page = await openApp(browser, server);
  page.on('request', (req: Request) => {
    const p = new URL(req.url()).pathname;
    if (req.method() !== 'POST') return;
    if (p === '/api/jobs') jobs.push(req.postDataJSON() as (typeof jobs)[number]);
    if (p === '/api/export') exports.push(req.postDataJSON() as (typeof exports)[number]);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 24: a RAW photo in the interface', () => {
  it('opens a dropped DNG as its rendering, denoises it and exports a linear DNG', async () => {
    const made = unprocess(naturalImage(W, H, 3, 31), { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(3), iso: 6400 });
    await dropFiles(page, 'body', [{ name: 'IMG_0001.dng', mimeType: '', data: Buffer.from(writeCfaDng(made.dng)) }]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.textContent('.side .info .name')).toBe('IMG_0001.dng');
    expect(await page.getAttribute('[data-testid="filmstrip-item"]', 'title')).toBe(`IMG_0001.dng — ${W} × ${H}`);
    // The view is the engine's rendering at the mosaic's size.
    const view = await page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, await page.locator('[data-testid="filmstrip-item"] img').first().getAttribute('src').then((src) => src!.replace('/thumb', '/view')));
    expect(view).toEqual([W, H]);
    expect(await page.inputValue('[data-testid="export-format"]')).toBe('dng');
    expect(await page.inputValue('[data-testid="export-name"]')).toBe('IMG_0001.mend.dng');

    await expect.poll(() => page.locator('[data-testid="denoise-run"]').isEnabled(), { timeout: 60_000 }).toBe(true);
    // The panel says how a RAW photo is denoised and offers grey models only (the raw route's).
    expect(await page.textContent('[data-testid="denoise-model-desc"]')).toMatch(/^RAW: denoised before demosaicing, a grey model on each colour plane\./);
    // The level is read from the mosaic when the raw route runs: no estimate from the rendering.
    expect((await page.textContent('[data-testid="noise-estimate"]'))?.trim()).toBe('measured when run');
    const offered = await page.locator('[data-testid="denoise-model"] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.filter((id) => !id.startsWith('gray-'))).toEqual([]);
    // Amount and Detail go with the job (the raw route applies them).
    await page.click('[data-testid="sigma-manual"]');
    await page.fill('[data-testid="amount-slider"]', '60');
    await page.fill('[data-testid="detail-slider"]', '30');
    await page.click('[data-testid="denoise-run"]');
    await expect.poll(() => page.locator('[data-testid="version-item"]').count(), { timeout: 60_000 }).toBe(2);
    expect(jobs.filter((j) => j.type === 'denoise')).toMatchObject([{ model: expect.stringMatching(/^gray-/), amount: 60, detail: 30 }]);
    await screenshot(page, '24-raw-denoised');

    const download = page.waitForEvent('download', { timeout: 30_000 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Control+s');
    const file = await (await download).path();
    expect(exports.at(-1)).toMatchObject({ format: 'dng', fileName: 'IMG_0001.mend.dng' });
    const t = parseTiff(await readFile(file));
    expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
    expect([nums(t.ifds[0], 256)![0], nums(t.ifds[0], 257)![0]]).toEqual([W, H]);
    const tags = execFileSync('exiftool', ['-validate', '-warning', '-ISO', file], { encoding: 'utf8' });
    expect(tags).toMatch(/Validate\s+: OK/);
    expect(tags).toMatch(/ISO\s+: 6400/);
  });
});
