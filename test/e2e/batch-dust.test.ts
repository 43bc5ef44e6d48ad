/**
 * End-to-end in Chromium against a real `mend serve` (issue 21, points 2, 5 and 6): a grey scan
 * is inpainted; a batch's results have before/after thumbnails, open in Edit and download as one
 * archive; the folder picker makes a new folder; presets are saved on the Batch page and used by
 * `mend batch --preset`; the Lab's dust spots are accepted or rejected and grown before they
 * become the shoot's mask. Screenshots of the changed screens at 1024x700 and 1920x1080 go to
 * test-results/screens/ (i21-*).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_NAME, parseJournal } from '../../src-main/core/batch/journal.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { dustyShoot } from '../helpers/shoot.js';
import { naturalImage } from '../helpers/synthetic.js';
import { serve, type Served } from '../helpers/serve.js';
import { dropFiles, launchBrowser, openApp, screenshot } from './harness.js';

let dir = '';
let server: Served;
let browser: Browser;
let page: Page;
const uploads: { id: string; name: string }[] = [];
const viewed: string[] = [];
const env = (): NodeJS.ProcessEnv => ({ MEND_USER_MODELS: path.join(dir, 'data', 'models') });

/** Screenshots of the screen as it is, at the two sizes the issue asks for. */
async function shootBoth(name: string, show?: string): Promise<void> {
  for (const [w, h] of [[1024, 700], [1920, 1080]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    if (show) await page.locator(show).scrollIntoViewIfNeeded();
    await screenshot(page, `i21-${name}-${w}x${h}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function pixels(id: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const res = await fetch(`${server.origin}/api/images/${id}/view?token=${server.token}`);
  expect(res.status).toBe(200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-e2e-i21-'));
  await mkdir(path.join(dir, 'shoot'));
  for (const [i, f] of dustyShoot(10, 200, 150, 7, 6, 2).frames.entries()) {
    await writeImage(path.join(dir, 'shoot', `IMG_${100 + i}.png`), { raster: f, bitDepth: 8 }, { keepMetadata: false });
  }
  await mkdir(path.join(dir, 'out'));
  server = await serve(['--root', dir], env());
  browser = await launchBrowser();
  page = await openApp(browser, server);
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (res.request().method() === 'POST' && url.pathname === '/api/images' && res.ok()) {
      const info = (await res.json()) as { id: string; name: string };
      uploads.push({ id: info.id, name: info.name });
    }
  });
  page.on('request', (req) => {
    const m = /\/api\/images\/([^/]+)\/view/.exec(new URL(req.url()).pathname);
    if (m) viewed.push(m[1]!);
  });
  await page.waitForFunction(() => /wasm|cpu|cuda|native/i.test(document.querySelector('[data-testid="status-backend"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 21 workflow: grey inpainting, batch results and presets, dust review', () => {
  it('inpaints a black-and-white scan with the colour model and keeps it grey', async () => {
    const file = path.join(dir, 'scan.png');
    await writeImage(file, { raster: naturalImage(160, 120, 1, 3), bitDepth: 8, format: 'png' }, { keepMetadata: false });
    await dropFiles(page, 'body', [{ name: 'scan.png', mimeType: 'image/png', data: await readFile(file) }]);
    await page.waitForSelector('[data-testid="filmstrip-item"]');
    await expect.poll(() => uploads.find((u) => u.name === 'scan.png')?.id).toBeTruthy();
    const original = uploads.find((u) => u.name === 'scan.png')!.id;
    const head = page.locator('button[aria-controls="panel-mask"]');
    if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
    // Before: "No grey inpainting model" and a disabled button. Now the colour model is offered, with how it treats the photo.
    await expect.poll(() => page.locator('[data-testid="inpaint-model"] option').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/inpaint/i)]));
    expect(await page.locator('[data-testid="inpaint-model"]').isDisabled()).toBe(false);
    expect(await page.textContent('[data-testid="inpaint-model-line"]')).toMatch(/^On this grey photo/);
    expect(await page.textContent('[data-testid="inpaint-blocked"]')).toMatch(/Paint over what to fill/);
    await page.click('[data-testid="mask-tool-brush"]');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 - 50, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2 - 50 + i * 10, box.y + box.height / 2 + i);
    await page.mouse.up();
    await expect.poll(() => page.locator('[data-testid="inpaint-blocked"]').count()).toBe(0);
    await page.locator('[data-testid="inpaint-run"]').scrollIntoViewIfNeeded();
    await shootBoth('grey-inpaint-mask');
    const before = uploads.length;
    await page.click('[data-testid="inpaint-run"]');
    await expect.poll(() => uploads.slice(before).find((u) => u.name.endsWith('.mask.png'))?.id, { timeout: 30_000 }).toBeTruthy();
    const mask = uploads.slice(before).find((u) => u.name.endsWith('.mask.png'))!.id;
    await expect.poll(() => page.locator('[data-testid="version-item"]').count(), { timeout: 90_000 }).toBeGreaterThan(1);
    const isResult = (id: string): boolean => id !== original && id !== mask && !uploads.some((u) => u.id === id);
    await expect.poll(() => viewed.filter(isResult).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const a = await pixels(original);
    const b = await pixels(viewed.filter(isResult).at(-1)!);
    const m = await pixels(mask);
    let inside = 0;
    let changed = 0;
    for (let p = 0; p < a.width * a.height; p++) {
      // Grey: one channel, or three equal ones.
      if (b.channels >= 3) expect(b.data[p * b.channels]).toBe(b.data[p * b.channels + 2]);
      const d = Math.abs(a.data[p * a.channels]! - b.data[p * b.channels]!);
      if (m.data[p * m.channels]! >= 128) {
        inside++;
        if (d > 2) changed++;
      } else expect(d).toBe(0);
    }
    expect(inside).toBeGreaterThan(100);
    expect(changed / inside).toBeGreaterThan(0.2);
  });

  it('saves a batch preset on the Batch page that mend batch --preset uses', async () => {
    await page.click('header button[data-page="batch"]');
    await page.waitForSelector('[data-testid="batch-preset"]');
    // Amount and Detail as on the Edit page (issue 18): Auto leaves Amount off, Manual sets it.
    expect(await page.textContent('[data-testid="batch-amount-value"]')).toBe('auto');
    expect(await page.locator('[data-testid="batch-amount"]').isDisabled()).toBe(true);
    await page.locator('label', { has: page.locator('[data-testid="batch-amount-manual"]') }).click();
    await page.fill('[data-testid="batch-amount"]', '40');
    await page.fill('[data-testid="batch-detail"]', '20');
    expect(await page.textContent('[data-testid="batch-amount-value"]')).toBe('Amount 40');
    expect(await page.textContent('[data-testid="batch-detail-value"]')).toBe('Detail 20');
    await page.selectOption('#batch-format', 'png');
    await shootBoth('batch-amount-detail', '[data-testid="batch-detail"]');
    await page.click('[data-testid="batch-preset-save"]');
    await page.fill('[data-testid="batch-preset-name"]', 'Grey scans');
    await page.click('[data-testid="batch-preset-confirm"]');
    await expect.poll(() => page.textContent('[data-testid="batch-preset-hint"]')).toBe('Denoise · amount 40 · detail 20 · PNG');
    const saved = JSON.parse(await readFile(path.join(dir, 'data', 'presets.json'), 'utf8')) as { presets: unknown[] };
    expect(saved.presets).toEqual([{ name: 'Grey scans', task: 'denoise', amount: 40, detail: 20, strength: 1, passes: 1, format: 'png', keepMetadata: true, skipExisting: false }]);
    // The command line reads the same preset: a JPEG input comes out as PNG, at Amount 40 (sigma 8.8) and Detail 20.
    const input = path.join(dir, 'cli-in');
    await mkdir(input);
    await writeImage(path.join(input, 'a.jpg'), { raster: naturalImage(64, 48, 3, 5), bitDepth: 8, format: 'jpeg' }, { keepMetadata: false });
    const res = await runMend(['batch', input, '-o', path.join(dir, 'cli-out'), '--preset', 'grey SCANS', '--json'], { env: env() });
    expect(res.code, res.stderr).toBe(0);
    expect(await readdir(path.join(dir, 'cli-out'))).toContain('a.png');
    const report = JSON.parse(await readFile(path.join(dir, 'cli-out', (await readdir(path.join(dir, 'cli-out'))).find((f) => f.endsWith('.json'))!), 'utf8')) as Record<string, unknown>;
    expect(report.settings).toMatchObject({ amount: 40, detail: 20 });
    expect((report.files as { sigma: number }[])[0]!.sigma).toBeCloseTo(8.8, 6);
    const journal = parseJournal(await readFile(path.join(dir, 'cli-out', JOURNAL_NAME), 'utf8'));
    expect(journal[0]!.settings).toMatchObject({ amount: 40, detail: 20 });
    // Changing the form, then choosing the preset again, brings its settings back.
    await page.selectOption('#batch-format', 'jpeg');
    await page.selectOption('[data-testid="batch-preset"]', '');
    await page.fill('[data-testid="batch-detail"]', '0');
    await page.locator('label', { has: page.locator('[data-testid="batch-amount-auto"]') }).click();
    await page.selectOption('[data-testid="batch-preset"]', 'Grey scans');
    expect(await page.inputValue('#batch-format')).toBe('png');
    expect([await page.inputValue('[data-testid="batch-amount"]'), await page.inputValue('[data-testid="batch-detail"]')]).toEqual(['40', '20']);
    expect(await page.locator('[data-testid="batch-amount-manual"]').isChecked()).toBe(true);
  });

  it('makes a new output folder from the folder picker', async () => {
    await page.locator('label', { has: page.locator('input[name="batch-out"][value="folder"]') }).click();
    await page.locator('[data-page-body="batch"] button', { hasText: 'Choose…' }).click();
    const dialog = page.locator('[role="dialog"]');
    await expect.poll(() => dialog.locator('.path').textContent()).toBe(dir);
    await page.click('[data-testid="folder-new"]');
    await page.fill('[data-testid="folder-new-name"]', 'Cleaned 2026');
    await shootBoth('folder-new');
    await page.click('[data-testid="folder-new-create"]');
    await expect.poll(() => dialog.locator('.path').textContent()).toBe(path.join(dir, 'Cleaned 2026'));
    expect(existsSync(path.join(dir, 'Cleaned 2026'))).toBe(true);
    // A name with a slash is refused in words.
    await page.click('[data-testid="folder-new"]');
    await page.fill('[data-testid="folder-new-name"]', '../escape');
    await page.click('[data-testid="folder-new-create"]');
    await expect.poll(() => dialog.locator('.msg.err').textContent()).toMatch(/plain folder name/);
    await dialog.locator('footer button', { hasText: 'Cancel' }).click();
    // Outside the --root folders, the server makes no folder.
    const outside = await fetch(`${server.origin}/api/folders`, {
      method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ parent: path.dirname(dir), name: 'mend-e2e-outside' }),
    });
    expect(outside.status).toBe(403);
    expect(existsSync(path.join(path.dirname(dir), 'mend-e2e-outside'))).toBe(false);
    // Back to a download batch for the next step.
    await page.locator('label', { has: page.locator('input[name="batch-out"][value="workspace"]') }).click();
  });

  it('shows the results with before/after, opens one in Edit and downloads all as one archive', async () => {
    await page.click('header button[data-page="editor"]');
    for (let i = 0; i < 2; i++) {
      const f = path.join(dir, `photo-${i}.png`);
      await writeImage(f, { raster: naturalImage(128, 96, 3, 40 + i), bitDepth: 8, format: 'png' }, { keepMetadata: false });
      await dropFiles(page, 'body', [{ name: `photo-${i}.png`, mimeType: 'image/png', data: await readFile(f) }]);
    }
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(3);
    await page.click('header button[data-page="batch"]');
    await expect.poll(() => page.locator('[data-testid="batch-run"]').isEnabled(), { timeout: 10_000 }).toBe(true);
    // The job the page sends carries the form's Amount and Detail (set with the preset above).
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs');
    await page.click('[data-testid="batch-run"]');
    expect((await sent).postDataJSON()).toMatchObject({ type: 'batch', task: 'denoise', sigma: 'auto', amount: 40, detail: 20 });
    await page.waitForSelector('[data-testid="batch-summary"]', { timeout: 120_000 });
    await expect.poll(() => page.locator('[data-testid="batch-output"]').count()).toBe(3);
    const card = page.locator('[data-testid="batch-output"]', { hasText: 'photo-0' });
    const img = card.locator('img');
    const after = await img.getAttribute('src');
    expect(after).toMatch(/^data:image\/jpeg;base64,/);
    await card.locator('[data-testid="batch-before-after"]').click();
    const beforeSrc = await img.getAttribute('src');
    expect(beforeSrc).toMatch(/^data:image\/jpeg;base64,/);
    expect(beforeSrc).not.toBe(after);
    expect(await card.locator('.tag').textContent()).toBe('Before');
    await shootBoth('batch-results');

    const download = page.waitForEvent('download');
    await page.click('[data-testid="batch-download-all"]');
    const zipFile = path.join(dir, 'all.zip');
    await (await download).saveAs(zipFile);
    const zip = await readFile(zipFile);
    // One stored entry per output, each a PNG that decodes at the photo's size.
    const names: string[] = [];
    for (let p = 0; zip.readUInt32LE(p) === 0x04034b50;) {
      const size = zip.readUInt32LE(p + 18);
      const nameLen = zip.readUInt16LE(p + 26);
      names.push(zip.subarray(p + 30, p + 30 + nameLen).toString('utf8'));
      const meta = await sharp(zip.subarray(p + 30 + nameLen, p + 30 + nameLen + size)).metadata();
      expect(meta.width).toBeGreaterThan(60);
      p += 30 + nameLen + size;
    }
    expect(names.sort()).toEqual(['photo-0.png', 'photo-1.png', 'scan.png']);

    await card.locator('[data-testid="batch-open-edit"]').click();
    await expect.poll(() => page.locator('header button[data-page="editor"]').getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 20_000 }).toBe(4);
  });

  it('lets the user reject dust spots and grow the rest before the shoot mask is made', async () => {
    await page.click('header button[data-page="lab"]');
    await page.click('[data-lab-tab-button="dust"]');
    await page.click('[data-testid="dust-choose"]');
    const dialog = page.locator('[role="dialog"]');
    await dialog.locator('button.entry', { hasText: 'shoot' }).click();
    await expect.poll(() => dialog.locator('.path').textContent()).toMatch(/shoot$/);
    await dialog.locator('footer button.primary').click();
    await page.click('[data-testid="dust-run"]');
    await page.waitForSelector('[data-testid="dust-result"]', { timeout: 60_000 });
    const n = await page.locator('[data-testid="dust-spot"]').count();
    expect(n).toBeGreaterThanOrEqual(6);
    const count = async (): Promise<[number, number]> => {
      const m = /(\d+) of (\d+) spots · ([\d,]+) pixels/.exec((await page.textContent('[data-testid="dust-mask-count"]')) ?? '')!;
      return [Number(m[1]), Number(m[3]!.replace(/,/g, ''))];
    };
    const [all, pixelsAll] = await count();
    expect(all).toBe(n);
    // Reject one in the list and one by clicking its ring.
    await page.locator('[data-testid="dust-accept"]').first().uncheck();
    await page.locator('[data-testid="dust-spot"]').nth(1).click();
    expect(await page.locator('[data-testid="dust-spot"]').nth(1).getAttribute('aria-pressed')).toBe('false');
    const [kept, pixelsKept] = await count();
    expect(kept).toBe(n - 2);
    expect(pixelsKept).toBeLessThan(pixelsAll);
    await page.locator('[data-testid="dust-grow"]').fill('6');
    const [, pixelsGrown] = await count();
    expect(pixelsGrown).toBeGreaterThan(pixelsKept * 1.3);
    await page.locator('[data-testid="dust-result"]').scrollIntoViewIfNeeded();
    await shootBoth('dust-review');
    const before = uploads.length;
    await page.click('[data-testid="dust-use-mask"]');
    await expect.poll(() => page.textContent('[data-testid="dust-use-mask"]'), { timeout: 20_000 }).toMatch(/In the mask choices/);
    await expect.poll(() => uploads.slice(before).find((u) => u.name === 'shoot-dust-mask.png')?.id).toBeTruthy();
    const maskId = uploads.slice(before).find((u) => u.name === 'shoot-dust-mask.png')!.id;
    const m = await pixels(maskId);
    let on = 0;
    for (let p = 0; p < m.width * m.height; p++) if (m.data[p * m.channels]! >= 128) on++;
    expect([m.width, m.height]).toEqual([200, 150]);
    expect(on).toBe(pixelsGrown);
    // Download mask saves the same mask (through the engine's export: a save dialog on the desktop).
    const download = page.waitForEvent('download');
    await page.locator('button', { hasText: 'Download mask' }).click();
    const file = path.join(dir, 'downloaded-mask.png');
    await (await download).saveAs(file);
    const d = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(d.data.reduce((a, v) => a + (v >= 128 ? 1 : 0), 0)).toBe(pixelsGrown);
  });
});
