/**
 * End-to-end, object removal in the Mask panel: the "Don't copy from" brush paints a second mask
 * that goes with the inpaint job as its exclude image, and Re-roll sends a new seed. Real
 * interface in Chromium against a real `mend serve` and engine.
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
import { dropFiles, launchBrowser, openApp, screenshot } from './harness.js';

let dir = '';
let server: Served;
let browser: Browser;
let page: Page;
const uploads: { id: string; name: string }[] = [];
const jobs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-e2e-removal-'));
  server = await serve([], {});
  browser = await launchBrowser();
  page = await openApp(browser, server);
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/images' && res.ok()) {
      const info = (await res.json()) as { id: string; name: string };
      uploads.push({ id: info.id, name: info.name });
    }
  });
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/jobs') jobs.push(req.postDataJSON() as Record<string, unknown>);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function stroke(x0: number, y0: number, x1: number, y1: number): Promise<void> {
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10);
  await page.mouse.up();
}

/** The pixels of a workspace image, as the engine stored it. */
async function whitePixels(id: string): Promise<number> {
  const res = await fetch(`${server.origin}/api/images/${id}/view?token=${server.token}`);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let p = 0; p < info.width * info.height; p++) if (data[p * info.channels]! >= 128) n++;
  return n;
}

describe('object removal in the Mask panel', () => {
  it('sends the "Don\'t copy from" mask with the job, and a new seed on Re-roll', async () => {
    const file = path.join(dir, 'wall.png');
    await writeImage(file, { raster: naturalImage(128, 96, 3, 5), bitDepth: 8, format: 'png' }, { keepMetadata: false });
    await dropFiles(page, 'body', [{ name: 'wall.png', mimeType: 'image/png', data: await readFile(file) }]);
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => uploads.find((u) => u.name === 'wall.png')?.id, { timeout: 20_000 }).toBeTruthy();
    await page.locator('[data-testid="filmstrip-item"]').first().click();
    const head = page.locator('button[aria-controls="panel-mask"]');
    if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();

    await page.click('[data-testid="mask-tool-brush"]');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const side = Math.min(box.width / 128, box.height / 96); // screen px per image px (the photo fits the viewer)
    // Right and left of the split view's divider, which sits in the middle.
    await stroke(cx + 30 * side, cy - 30 * side, cx + 30 * side, cy + 30 * side);
    await expect.poll(() => page.locator('[data-testid="inpaint-reroll"]').isEnabled(), { timeout: 30_000 }).toBe(true);
    // The second brush: its paint is another mask (the fill mask stays as it was).
    await page.click('[data-testid="mask-layer-exclude"]');
    expect(await page.getAttribute('[data-testid="mask-layer-exclude"]', 'aria-pressed')).toBe('true');
    await stroke(cx - 40 * side, cy - 30 * side, cx - 40 * side, cy + 30 * side);
    await page.click('[data-testid="mask-layer-fill"]');
    await screenshot(page, 'removal-masks');

    await page.click('[data-testid="inpaint-reroll"]');
    await expect.poll(() => jobs.find((j) => j.type === 'inpaint'), { timeout: 30_000 }).toBeTruthy();
    const job = jobs.find((j) => j.type === 'inpaint')!;
    await expect.poll(() => uploads.find((u) => u.name.endsWith('.exclude.png')), { timeout: 10_000 }).toBeTruthy();
    const excludeUpload = uploads.find((u) => u.name.endsWith('.exclude.png'));
    const maskUpload = uploads.find((u) => u.name.endsWith('.mask.png'));
    expect(job.exclude).toBe(excludeUpload!.id);
    expect(job.mask).toBe(maskUpload!.id);
    expect(Number.isInteger(job.seed)).toBe(true);
    // Two different masks: the strokes went to their own layers.
    const [fill, exclude] = [await whitePixels(maskUpload!.id), await whitePixels(excludeUpload!.id)];
    expect(fill).toBeGreaterThan(100);
    expect(exclude).toBeGreaterThan(20);
    expect(exclude).not.toBe(fill);
    await expect.poll(() => page.locator('[data-testid="version-item"]').count(), { timeout: 90_000 }).toBeGreaterThan(1);

    // A second Re-roll: another seed, the same masks (unchanged, so not uploaded again).
    await page.click('[data-testid="inpaint-reroll"]');
    await expect.poll(() => jobs.filter((j) => j.type === 'inpaint').length, { timeout: 30_000 }).toBe(2);
    const second = jobs.filter((j) => j.type === 'inpaint')[1]!;
    expect(second.exclude).toBe(job.exclude);
    expect(second.seed).not.toBe(job.seed);
    await screenshot(page, 'removal-reroll');
  });
});
