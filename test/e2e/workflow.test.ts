/**
 * End-to-end, issue 21: the photographer's workflow on the Edit and Models pages, in Debian's
 * Chromium against a real `mend serve` (real engine, shipped models). What Denoise runs on
 * (Apply to), the settings of the result on screen, comparing any two versions and the loupe,
 * Export's default format, the shortcut table, plain words, and the small traps. Screenshots of
 * the changed screens at 1024x700 and 1920x1080 go to test-results/screens/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { SHORTCUTS } from '../../src-renderer/lib/state/shortcuts.js';
import { naturalImage } from '../helpers/synthetic.js';
import { serve, type Served } from '../helpers/serve.js';
import { dropFiles, launchBrowser, openApp, screenshot } from './harness.js';

let dir = '';
let server: Served;
let browser: Browser;
let page: Page;
const files: Record<string, { name: string; mimeType: string; data: Buffer }> = {};
/** Job requests the page sent (POST /api/jobs bodies), and export requests. */
const jobs: { type: string; image?: string; model?: string; passes?: number }[] = [];
const exports: { format: string; depth?: number; fileName: string }[] = [];
const uploads: { id: string; name: string }[] = [];

/** The same screen at the two sizes the issue asks for; `arrange` runs after each resize (a pointer to put back). */
async function shoot(name: string, arrange?: () => Promise<void>): Promise<void> {
  for (const [w, h] of [[1024, 700], [1920, 1080]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(250);
    await arrange?.();
    await screenshot(page, `21-${name}-${w}x${h}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.waitForTimeout(150);
}

async function versions(): Promise<number> {
  return page.locator('[data-testid="version-item"]').count();
}

async function pressed(testid: string): Promise<string | null> {
  return page.getAttribute(`[data-testid="${testid}"]`, 'aria-pressed');
}

/** Keys go to the page, not to a button that happens to have focus. */
async function key(combo: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(combo);
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-e2e-21-'));
  const write = async (name: string, seed: number, format: 'png' | 'tiff', bitDepth: 8 | 16, w = 128, h = 96): Promise<void> => {
    const file = path.join(dir, seed === 22 ? `other-${name}` : name);
    await writeImage(file, { raster: naturalImage(w, h, 3, seed), bitDepth, format }, { keepMetadata: false });
    files[seed === 22 ? 'twin' : name] = { name, mimeType: format === 'png' ? 'image/png' : 'image/tiff', data: await readFile(file) };
  };
  await write('street.png', 21, 'png', 8);
  await write('street.png', 22, 'png', 8);
  await write('scan.tif', 23, 'tiff', 16, 96, 64);
  server = await serve(['--root', dir], { MEND_USER_MODELS: path.join(dir, 'user-models') });
  browser = await launchBrowser();
  page = await openApp(browser, server);
  page.on('request', (req: Request) => {
    const p = new URL(req.url()).pathname;
    if (req.method() !== 'POST') return;
    if (p === '/api/jobs') jobs.push(req.postDataJSON() as (typeof jobs)[number]);
    if (p === '/api/export') exports.push(req.postDataJSON() as (typeof exports)[number]);
  });
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/images' && res.ok()) {
      const info = (await res.json()) as { id: string; name: string };
      uploads.push({ id: info.id, name: info.name });
    }
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 21: the workflow in the interface', () => {
  it('lists every shortcut of the one table in the ? overlay (Ctrl+0, Ctrl+Y and the Run keys included)', async () => {
    await expect.poll(() => page.textContent('[data-testid="status-plain"]'), { timeout: 60_000 }).toMatch(/Ready/);
    await key('?');
    await page.waitForSelector('[data-testid="shortcuts"]');
    const actions = await page.locator('[data-testid="shortcuts"] dd').allTextContents();
    const table = SHORTCUTS.flatMap((g) => g.items);
    expect(actions).toEqual(table.map((s) => s.action));
    const keys = (await page.locator('[data-testid="shortcuts"] dt').allTextContents()).map((t) => t.replace(/\s+/g, ''));
    for (const k of ['Ctrl+0', 'Ctrl+Y', 'Ctrl+D', 'Ctrl+I', 'Ctrl+S', 'L']) expect(keys).toContain(k);
    // Every key press in the table runs one command only.
    const presses = table.flatMap((s) => (s.run ?? []).flatMap((r) => r.press));
    expect(new Set(presses).size).toBe(presses.length);
    await shoot('shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="shortcuts"]').count()).toBe(0);
  });

  it('names a dropped file that is not a photo, and tells two photos of the same name apart', async () => {
    await dropFiles(page, 'body', [{ name: 'notes.txt', mimeType: 'text/plain', data: Buffer.from('shopping list') }, files['street.png']!]);
    await expect.poll(() => page.locator('[data-testid="toast"]').allTextContents(), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/“notes\.txt” is not a photo/)]));
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(1);
    await dropFiles(page, 'body', [files.twin!]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(2);
    expect(await page.locator('[data-testid="filmstrip-item"] .name').allTextContents()).toEqual(['street.png', 'street (2).png']);
    // Toasts stay off the image at both sizes, two of them stacked (bottom right, they covered its corner).
    for (const [w, h] of [[1024, 700], [1920, 1080]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(200);
      for (const name of [`a-${w}.txt`, `b-${w}.txt`]) await dropFiles(page, 'body', [{ name, mimeType: 'text/plain', data: Buffer.from('x') }]);
      await expect.poll(() => page.locator('[data-testid="toast"]').count()).toBeGreaterThanOrEqual(2);
      const canvas = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
      for (const t of await page.locator('[data-testid="toast"]').all()) expect(overlaps((await t.boundingBox())!, canvas)).toBe(false);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator('[data-testid="filmstrip-item"]').first().click();
  });

  it('denoises the original unless told to use the result on screen, and shows the settings of the result on screen', async () => {
    const original = uploads.find((u) => u.name === 'street.png')!.id;
    // The model list arrives with the page; until then there is nothing to run.
    await expect.poll(() => page.locator('[data-testid="denoise-run"]').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.click('[data-testid="passes-1"]');
    await key('Control+d');
    await expect.poll(versions, { timeout: 60_000 }).toBe(2);
    await page.click('[data-testid="passes-2"]');
    await key('Control+d');
    await expect.poll(versions, { timeout: 60_000 }).toBe(3);
    const denoises = jobs.filter((j) => j.type === 'denoise');
    expect(denoises.map((j) => [j.image, j.passes])).toEqual([[original, 1], [original, 2]]);

    // The panel follows the version on screen: its passes, and a line saying what made it.
    await page.locator('[data-testid="version-item"]').nth(1).click();
    await expect.poll(() => pressed('passes-1')).toBe('true');
    expect(await page.textContent('[data-testid="denoise-made-with"]')).toMatch(/passes 1/);
    await page.locator('[data-testid="version-item"]').nth(2).click();
    await expect.poll(() => pressed('passes-2')).toBe('true');
    expect(await page.textContent('[data-testid="denoise-made-with"]')).toMatch(/passes 2/);
    // The noise reading is the photo's (what the next run starts from), as in the header.
    expect(await page.textContent('[data-testid="noise-estimate"]')).not.toMatch(/not estimated/);
    await shoot('denoise-apply-to');

    // "This result": the next run starts from version 2.
    await page.click('[data-testid="apply-denoise-current"]');
    await page.click('[data-testid="denoise-run"]');
    await expect.poll(versions, { timeout: 60_000 }).toBe(4);
    const third = jobs.filter((j) => j.type === 'denoise')[2]!;
    expect(third.image).not.toBe(original);
    expect(jobs.filter((j) => j.type === 'denoise').slice(0, 2).map((j) => j.image)).not.toContain(third.image);
    await page.click('[data-testid="apply-denoise-original"]');
    // Plain words: no benchmark or network jargon in the picker, no "Grayscale" on a colour result.
    const options = await page.locator('[data-testid="denoise-model"] option').allTextContents();
    for (const o of options) expect(o).not.toMatch(/sigma|Gaussian|Blind|DnCNN|Grayscale|U-Net/);
    for (const t of await page.locator('[data-testid="version-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))) {
      expect(t).not.toMatch(/Grayscale/);
    }
  });

  it('compares any two versions in split and side by side, with a loupe that follows the pointer', async () => {
    const labels = await page.locator('[data-testid="compare-with"] option').allTextContents();
    expect(labels.slice(0, 4)).toEqual(['Original', expect.stringMatching(/^1 · Denoised/), expect.stringMatching(/^2 · Denoised/), expect.stringMatching(/^3 · Denoised/)]);
    await page.selectOption('[data-testid="compare-with"]', { label: labels[1]! });
    await page.click('[data-testid="compare-mode"] [data-mode="split"]');
    expect(await page.textContent('.viewer .badge.left')).toMatch(/^1 · Denoised/);
    expect(await page.textContent('.viewer .badge.right')).toMatch(/^3 · Denoised/);
    await page.click('[data-testid="compare-mode"] [data-mode="side"]');
    expect(await page.locator('.viewer .badge').allTextContents()).toEqual([expect.stringMatching(/^1 · /), expect.stringMatching(/^3 · /)]);

    await page.click('[data-testid="loupe-button"]');
    await page.click('[data-testid="loupe-button"]');
    expect(await page.getAttribute('[data-testid="loupe-button"]', 'aria-label')).toBe('Loupe 200%');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.waitForSelector('[data-testid="loupe"]');
    expect(await page.textContent('[data-testid="loupe"]')).toMatch(/200%/);
    // It shows the picture (not an empty frame), and moves with the pointer.
    const spread = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="loupe-canvas"]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        lo = Math.min(lo, d[i + 1]!);
        hi = Math.max(hi, d[i + 1]!);
      }
      return hi - lo;
    });
    expect(spread).toBeGreaterThan(20);
    const at1 = (await page.locator('[data-testid="loupe"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2 - 40);
    const at2 = (await page.locator('[data-testid="loupe"]').boundingBox())!;
    expect([at2.x, at2.y]).not.toEqual([at1.x, at1.y]);
    await shoot('compare-loupe', async () => {
      const b = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
      await page.mouse.move(b.x + b.width * 0.7, b.y + b.height * 0.45);
      await page.waitForTimeout(100);
    });
    // With the two pickers in the toolbar, the zoom controls still fit a 1024 px window.
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.waitForTimeout(200);
    const toolbar = (await page.locator('.toolbar[aria-label="View"]').boundingBox())!;
    const z100 = (await page.locator('[data-testid="zoom-100"]').boundingBox())!;
    expect(z100.x + z100.width).toBeLessThanOrEqual(toolbar.x + toolbar.width);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2 - 40);
    await key('l');
    expect(await page.textContent('[data-testid="loupe"]')).toMatch(/400%/);
    await key('l');
    await expect.poll(() => page.locator('[data-testid="loupe"]').count()).toBe(0);
    await page.click('[data-testid="compare-mode"] [data-mode="split"]');
    await page.selectOption('[data-testid="compare-with"]', 'original');
  });

  it('exports in the input file\'s format and bit depth by default; Ctrl+S exports and Ctrl+I inpaints', async () => {
    expect(await page.inputValue('[data-testid="export-format"]')).toBe('png');
    await dropFiles(page, 'body', [files['scan.tif']!]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => page.textContent('.side .info .name')).toBe('scan.tif');
    expect(await page.inputValue('[data-testid="export-format"]')).toBe('tiff');
    expect(await pressed('export-depth-16')).toBe('true');
    expect(await page.inputValue('[data-testid="export-name"]')).toBe('scan.mend.tif');
    await key('Control+s');
    await expect.poll(() => exports.length, { timeout: 20_000 }).toBe(1);
    expect(exports[0]).toMatchObject({ format: 'tiff', depth: 16, fileName: 'scan.mend.tif' });
    await shoot('export-defaults');

    // Ctrl+I fills the painted stroke.
    await key('b');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 - 40, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width / 2 - 40 + i * 10, box.y + box.height / 2 + i);
    await page.mouse.up();
    await key('Control+i');
    await expect.poll(() => page.locator('[data-testid="version-item"][data-kind="inpainted"]').count(), { timeout: 60_000 }).toBe(1);
    expect(jobs.filter((j) => j.type === 'inpaint').at(-1)!.image).toBe(uploads.find((u) => u.name === 'scan.tif')!.id);
  });

  it('leaves the Brush behind when another photo is shown, and keeps the history list short', async () => {
    await key('b');
    expect(await pressed('mask-tool-brush')).toBe('true');
    await key('ArrowLeft');
    await expect.poll(() => page.textContent('.side .info .name')).toBe('street (2).png');
    expect(await pressed('mask-tool-hand')).toBe('true');

    await page.locator('[data-testid="filmstrip-item"]').first().click();
    await key('Control+d');
    await expect.poll(versions, { timeout: 60_000 }).toBe(5);
    await key('Control+d');
    await expect.poll(versions, { timeout: 60_000 }).toBe(6);
    const list = await page.locator('[data-testid="versions"]').evaluate((el) => ({ client: el.clientHeight, scroll: el.scrollHeight }));
    expect(list.client).toBeLessThanOrEqual(220);
    expect(list.scroll).toBeGreaterThan(list.client);
  });

  it('says in plain words what runs, with the technical names behind Details', async () => {
    const plain = (await page.textContent('footer.status'))!;
    expect(plain).not.toMatch(/@tensorflow|tfjs|Install|WASM|ONNX|CUDA/);
    expect(await page.isVisible('[data-testid="status-details"]')).toBe(false);
    await page.click('[data-testid="status-details-toggle"]');
    expect(await page.isVisible('[data-testid="status-details"]')).toBe(true);
    expect(await page.textContent('[data-testid="status-backend"]')).toMatch(/for inference/);
    await shoot('status-details');
    await page.click('[data-testid="status-details-toggle"]');
  });

  it('evaluates a model on the open photos next to the shipped default, and sets it as the Edit page default', async () => {
    await page.click('header button[data-page="models"]');
    await page.locator('[data-testid="model-item"]', { hasText: 'Colour denoiser (quick)' }).click();
    expect(await page.getAttribute('[data-testid="model-details"]', 'open')).toBeNull();
    await page.click('[data-testid="model-evaluate-run"]');
    await expect.poll(() => page.locator('[data-testid="model-eval-table"] tbody tr').count(), { timeout: 90_000 }).toBe(2);
    const rows = await page.locator('[data-testid="model-eval-table"] tbody tr').allTextContents();
    expect(rows[0]).toMatch(/Colour denoiser \(quick\)/);
    expect(rows[1]).toMatch(/Standard denoiser/);
    for (const g of await page.locator('[data-testid="model-eval-table"] td.gain').allTextContents()) expect(Number(g)).toBeGreaterThan(3);
    await shoot('models-evaluate');
    await page.click('[data-testid="model-set-default"]');
    await page.click('header button[data-page="editor"]');
    expect(await page.inputValue('[data-testid="denoise-model"]')).toBe('color-lite');
  });
});
