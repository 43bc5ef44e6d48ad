/**
 * End-to-end: the real interface in Debian's Chromium, driven through playwright-core, against a
 * real `mend serve` with the real engine and shipped models. One server and one browser page
 * for the whole file: the steps build on each other as a user's session would (load, corrupt,
 * denoise, mask, inpaint, batch, train, models). Screenshots land in test-results/screens/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { naturalImage } from '../helpers/synthetic.js';
import { serve, type Served } from '../helpers/serve.js';
import { dropFiles, launchBrowser, longTasksSince, openApp, pasteFiles, screenshot } from './harness.js';

let dir = '';
let server: Served;
let browser: Browser;
let page: Page;
const photos: { name: string; data: Buffer }[] = [];
/** Ids of images the page uploaded (POST /api/images), in order, with their names. */
const uploads: { id: string; name: string; role: string }[] = [];
/** Ids whose full-resolution view the page fetched, in order. */
const viewed: string[] = [];

async function rawPixels(id: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const res = await fetch(`${server.origin}/api/images/${id}/view?token=${server.token}`);
  expect(res.status).toBe(200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function dbText(text: string | null): number {
  const m = /(-?\d+(?:\.\d+)?)/.exec(text ?? '');
  if (!m) throw new Error(`no number in "${text}"`);
  return Number(m[1]);
}

/** Opens a collapsible side-panel section of the editor if it is closed. */
async function openPanel(id: string): Promise<void> {
  const head = page.locator(`button[aria-controls="panel-${id}"]`);
  if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
}

/** Radio buttons styled as segmented controls: click the label the user sees. */
async function choose(name: string, value: string): Promise<void> {
  await page.locator('label', { has: page.locator(`input[name="${name}"][value="${value}"]`) }).click();
  expect(await page.isChecked(`input[name="${name}"][value="${value}"]`)).toBe(true);
}

async function gotoPage(id: 'editor' | 'batch' | 'train' | 'models'): Promise<void> {
  await page.click(`header button[data-page="${id}"]`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-e2e-'));
  for (let i = 0; i < 3; i++) {
    const file = path.join(dir, `photo-${i + 1}.png`);
    await writeImage(file, { raster: naturalImage(128, 96, 3, 11 + i), bitDepth: 8, format: 'png' }, { keepMetadata: false });
    photos.push({ name: path.basename(file), data: await readFile(file) });
  }
  server = await serve(['--root', dir], { MEND_USER_MODELS: path.join(dir, 'user-models') });
  browser = await launchBrowser();
  page = await openApp(browser, server);
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (res.request().method() === 'POST' && url.pathname === '/api/images' && res.ok()) {
      const info = (await res.json()) as { id: string; name: string; role: string };
      uploads.push({ id: info.id, name: info.name, role: info.role });
    }
  });
  page.on('request', (req) => {
    const m = /\/api\/images\/([^/]+)\/view/.exec(new URL(req.url()).pathname);
    if (m) viewed.push(m[1]!);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('web mode in a real browser', () => {
  it('refuses API calls without the access token', async () => {
    const none = await fetch(`${server.origin}/api/info`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${server.origin}/api/info`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.origin}/api/info`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(right.status).toBe(200);
    // The page itself got in: the status line shows the engine's backend.
    await expect.poll(() => page.textContent('[data-testid="status-backend"]'), { timeout: 60_000 }).toMatch(/wasm|cpu|cuda|native/i);
    // ...and the inference runtime the calibration picked.
    expect(await page.textContent('[data-testid="status-backend"]')).toMatch(/(ONNX Runtime|TensorFlow\.js).* for inference/);
    await screenshot(page, '01-empty');
  });

  it('loads a dropped image, corrupts it, denoises it, and the PSNR it shows rises', async () => {
    await dropFiles(page, 'body', [{ name: photos[0]!.name, mimeType: 'image/png', data: photos[0]!.data }]);
    await page.waitForSelector('[data-testid="filmstrip-item"]');
    expect(await page.locator('[data-testid="filmstrip-item"]').count()).toBe(1);

    await openPanel('corrupt');
    await page.click('[data-testid="corrupt-noise"]');
    await page.selectOption('[data-testid="corrupt-noise-kind"]', 'gaussian');
    await page.locator('[data-testid="corrupt-sigma"]').fill('30');
    await page.click('[data-testid="corrupt-run"]');
    await expect.poll(() => page.textContent('[data-testid="psnr-corrupted"]'), { timeout: 60_000 }).toMatch(/\d/);
    const corrupted = dbText(await page.textContent('[data-testid="psnr-corrupted"]'));

    const since = await page.evaluate(() => performance.now());
    await page.click('[data-testid="corrupt-reconstruct"]');
    await expect.poll(() => page.textContent('[data-testid="psnr-result"]'), { timeout: 90_000 }).toMatch(/\d/);
    const denoised = dbText(await page.textContent('[data-testid="psnr-result"]'));
    expect(corrupted).toBeGreaterThan(15);
    expect(corrupted).toBeLessThan(22);
    expect(denoised).toBeGreaterThan(corrupted + 3);
    // The page stayed responsive while the engine worked.
    const long = await longTasksSince(page, since);
    expect(long.map((t) => Math.round(t.duration)).filter((d) => d > 100)).toEqual([]);
    await screenshot(page, '02-denoise-split');
  });

  it('paints a mask with the mouse and inpaints only under it', async () => {
    await dropFiles(page, 'body', [{ name: photos[1]!.name, mimeType: 'image/png', data: photos[1]!.data }]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count()).toBe(2);
    await expect.poll(() => uploads.find((u) => u.name === photos[1]!.name)?.id).toBeTruthy();
    const original = uploads.find((u) => u.name === photos[1]!.name)!.id;
    await page.locator('[data-testid="filmstrip-item"]').nth(1).click();

    await openPanel('mask');
    await page.click('[data-testid="mask-tool-brush"]');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx - 60, cy - 10);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(cx - 60 + i * 10, cy - 10 + i * 2);
    await page.mouse.up();

    const uploadsBefore = uploads.length;
    await page.click('[data-testid="inpaint-run"]');
    await expect.poll(() => uploads.slice(uploadsBefore).find((u) => u.name.endsWith('.mask.png'))?.id, { timeout: 30_000 }).toBeTruthy();
    const mask = uploads.slice(uploadsBefore).find((u) => u.name.endsWith('.mask.png'))!.id;
    await expect.poll(() => page.locator('[data-testid="version-item"]').count(), { timeout: 90_000 }).toBeGreaterThan(1);
    await expect.poll(() => viewed.filter((id) => id !== original && id !== mask && !uploads.some((u) => u.id === id)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const result = viewed.filter((id) => id !== original && id !== mask && !uploads.some((u) => u.id === id)).at(-1)!;

    const a = await rawPixels(original);
    const b = await rawPixels(result);
    const m = await rawPixels(mask);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    let masked = 0;
    let changedInside = 0;
    let changedOutside = 0;
    for (let p = 0; p < a.width * a.height; p++) {
      const inMask = m.data[p * m.channels]! >= 128;
      let diff = 0;
      for (let c = 0; c < 3; c++) diff = Math.max(diff, Math.abs(a.data[p * a.channels + c]! - b.data[p * b.channels + c]!));
      if (inMask) {
        masked++;
        if (diff > 2) changedInside++;
      } else if (diff > 0) changedOutside++;
    }
    expect(masked).toBeGreaterThan(100);
    expect(changedOutside).toBe(0);
    expect(changedInside / masked).toBeGreaterThan(0.2);
    await screenshot(page, '03-inpaint');
  });

  it('says in words why a dropped file is not an image, and loads a pasted one', async () => {
    await dropFiles(page, 'body', [{ name: 'notes.png', mimeType: 'image/png', data: Buffer.from('this is not a PNG') }]);
    await expect.poll(() => page.locator('[data-testid="toast"]').allTextContents(), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/notes\.png/)]));
    const toast = (await page.locator('[data-testid="toast"]').allTextContents()).find((t) => t.includes('notes.png'))!;
    expect(toast).not.toMatch(/\bat \w+ \(|Error:|node:|\/tmp\//);
    expect(await page.locator('[data-testid="filmstrip-item"]').count()).toBe(2);

    await pasteFiles(page, [{ name: 'image.png', mimeType: 'image/png', data: photos[2]!.data }]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(3);
  });

  it('runs a batch of the loaded images to the end', async () => {
    await gotoPage('batch');
    await page.waitForSelector('[data-testid="batch-run"]');
    await screenshot(page, '04-batch-setup');
    await expect.poll(() => page.locator('[data-testid="batch-run"]').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.click('[data-testid="batch-run"]');
    await page.waitForSelector('[data-testid="batch-summary"]', { timeout: 120_000 });
    await expect.poll(() => page.textContent('[data-testid="batch-count"]')).toMatch(/(\d+)\s*\/\s*\1/);
    const count = (await page.textContent('[data-testid="batch-count"]'))!;
    expect(Number(/(\d+)\s*\//.exec(count)![1])).toBeGreaterThanOrEqual(3);
    await screenshot(page, '05-batch-done');
  });

  it('trains a tiny model, the chart updates, and the model appears in the pickers', async () => {
    await gotoPage('train');
    await choose('train-source', 'images');
    await choose('train-arch', 'residual');
    await choose('train-variant', 'denoising');
    await page.fill('#train-patch', '32');
    await page.fill('#train-steps', '30');
    await page.fill('#train-batch', '4');
    await page.fill('#train-name', 'E2E tiny');
    await expect.poll(() => page.locator('[data-testid="train-run"]').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.click('[data-testid="train-run"]');
    await expect.poll(async () => Number((await page.textContent('[data-testid="train-step"]'))?.replace(/\D+/g, '') || 0), { timeout: 120_000 }).toBeGreaterThan(0);
    const pathsMid = await page.locator('[data-testid="train-chart"] path').count();
    expect(pathsMid).toBeGreaterThan(0);
    await screenshot(page, '06-train-running');
    await expect.poll(() => page.locator('[data-testid="train-run"]').isEnabled(), { timeout: 180_000 }).toBe(true);
    await screenshot(page, '07-train-done');
    // Unasked, the new model is scored on the open photos next to the shipped one, and says it is far below.
    await expect.poll(() => page.locator('[data-testid="toast"]').allTextContents(), { timeout: 60_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/“E2E tiny” scores \d+\.\d dB below the shipped “Standard denoiser”/)]));

    await gotoPage('models');
    await expect.poll(() => page.locator('[data-testid="model-item"]', { hasText: 'E2E tiny' }).count(), { timeout: 20_000 }).toBe(1);
    await page.locator('[data-testid="model-item"]', { hasText: 'E2E tiny' }).click();
    await screenshot(page, '08-models');
    // A 30-step model scores far below the shipped denoiser on the open photos, and says so.
    await page.click('[data-testid="model-evaluate-run"]');
    await expect.poll(() => page.locator('[data-testid="model-eval-warning"]').count(), { timeout: 90_000 }).toBe(1);
    expect(await page.textContent('[data-testid="model-eval-warning"]')).toMatch(/“E2E tiny” scores \d+\.\d dB below the shipped “Standard denoiser”/);

    await gotoPage('editor');
    const options = await page.locator('[data-testid="denoise-model"] option').allTextContents();
    expect(options.some((o) => o.includes('E2E tiny'))).toBe(true);
  });
});
