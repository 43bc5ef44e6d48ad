/**
 * End-to-end: the desktop app's whole stack except Electron's binary (see desktop-stack.ts for
 * what is stood in and why): the real interface in Chromium with the real preload's
 * `window.mend`, every call checked and answered by the real main-process code (sender check,
 * schema validation, grants, the protocols' resolvers) on the real engine in its own process.
 * The Edit page's flows run through it as a user would: photos opened with File > Open, a
 * denoise with 2 passes (which the desktop app refused before issue 19), a painted mask
 * inpainted, a batch of a chosen folder into a chosen folder with 2 passes, and an export through
 * the save dialog. test/e2e/electron.test.ts adds the real Electron launch where a binary exists.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopHost, type Dialogs } from '../../src-main/app/desktop-host.js';
import { utilityProcessLauncher } from '../../src-main/app/engine-process.js';
import { Grants } from '../../src-main/app/grants.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { EngineClient } from '../../src-main/host/client.js';
import { createHostWorkspace, type HostWorkspace } from '../../src-main/host/host.js';
import type { JobSpec } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';
import { standInUtilityProcess } from '../helpers/utility-process.js';
import { openDesktopWindow, PAGE_URL, type DesktopStack } from './desktop-stack.js';
import { launchBrowser } from './harness.js';

let dir = '';
let photos = '';
let outDir = '';
let exported = '';
let ws: HostWorkspace;
let engine: EngineClient;
let host: DesktopHost;
let browser: Browser;
let context: BrowserContext;
let stack: DesktopStack;
let page: Page;
const grants = new Grants();
const dialogs: Dialogs = {
  openImages: async () => [path.join(photos, 'noisy photo.png'), path.join(photos, 'second.png')],
  chooseFolder: async (purpose) => (purpose === 'output' ? outDir : photos),
  saveFile: async () => exported,
};

async function openPanel(id: string): Promise<void> {
  const head = page.locator(`button[aria-controls="panel-${id}"]`);
  if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
}

/**
 * Waits until the editor shows a new version, or an error toast: 'done', or the toast's text
 * (a refused request fails at once and says why, instead of timing out).
 */
async function outcome(before: number): Promise<string> {
  const state = async (): Promise<string> => {
    if ((await page.locator('[data-testid="version-item"]').count()) > before) return 'done';
    const toasts = await page.locator('[data-testid="toast"]').allTextContents();
    return toasts.find((t) => /refused|could not|failed|error/i.test(t)) ?? 'waiting';
  };
  await expect.poll(state, { timeout: 120_000 }).not.toBe('waiting');
  return state();
}

/** The jobs the page started, as main's dispatch received them. */
const jobSpecs = (): JobSpec[] => stack.requests.filter((r) => r.channel === 'mend:job-start').map((r) => (r.payload as { spec: JobSpec }).spec);

async function psnr(a: string, b: string): Promise<number> {
  const ra = await sharp(a).removeAlpha().raw().toBuffer();
  const rb = await sharp(b).removeAlpha().raw().toBuffer();
  expect(ra.length).toBe(rb.length);
  let se = 0;
  for (let i = 0; i < ra.length; i++) se += (ra[i]! - rb[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / ra.length));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mend-desktop-stack-'));
  photos = path.join(dir, 'photos');
  outDir = path.join(dir, 'out');
  exported = path.join(dir, 'exported.png');
  await mkdir(photos);
  await mkdir(outDir);
  const raster = naturalImage(128, 96, 3, 21);
  await writeImage(path.join(photos, 'clean.png'), { raster, bitDepth: 8, format: 'png' }, { keepMetadata: false });
  // Gaussian noise, sigma 25 (on 0-255), from a fixed seed.
  let s = 12345;
  const uniform = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  const data = Float32Array.from(raster.data, (v) => v + (25 / 255) * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
  await writeImage(path.join(photos, 'noisy photo.png'), { raster: { ...raster, data }, bitDepth: 8, format: 'png' }, { keepMetadata: false });
  await writeImage(path.join(photos, 'second.png'), { raster: naturalImage(128, 96, 3, 22), bitDepth: 8, format: 'png' }, { keepMetadata: false });

  ws = await createHostWorkspace('mend-desktop-stack-ws-', dir);
  engine = new EngineClient({
    workspaceDir: ws.dir, mode: 'desktop', stdio: 'ignore', launcher: utilityProcessLauncher(standInUtilityProcess()),
    env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(dir, 'user-models') },
  });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  stack = await openDesktopWindow(context, () => host, {
    workspaceDir: ws.dir,
    diffImage: (a, b, gain) => engine.call('diffImage', a, b, gain),
    batchOutputFile: (d, name) => engine.call('batchOutputFile', d, name),
    checkFolder: (d) => grants.check(d, 'Folder'),
  });
  page = stack.page;
  host = new DesktopHost({ engine, workspaceDir: ws.dir, grants, dialogs, send: stack.send });
  await page.goto(PAGE_URL);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await ws?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the desktop stack in a real browser (all but the Electron binary)', () => {
  it('loads the interface as the desktop app, through the preload and main', async () => {
    await expect.poll(() => page.textContent('[data-testid="status-backend"]'), { timeout: 60_000 }).toMatch(/wasm|webassembly/i);
    const seen = await page.evaluate(() => Object.keys((window as unknown as { mend: { desktop: object } }).mend.desktop).sort());
    expect(seen).toEqual(['chooseFolder', 'onEngineStatus', 'onImagesOpened', 'onMenuCommand']);
    expect(stack.requests.map((r) => r.channel)).toEqual(expect.arrayContaining(['mend:info', 'mend:ready', 'mend:list-models']));
    // A path the user never gave the app stays closed, whatever the page asks.
    const open = await page.evaluate(() => (window as unknown as { mend: { openPath(p: string): Promise<unknown> } }).mend.openPath('/etc/passwd').then(() => 'opened', (e: { code?: string }) => e.code));
    expect(open).toBe('forbidden');
  });

  it('opens photos with File > Open', async () => {
    await host.openWithDialog();
    await expect.poll(() => page.locator('[data-testid="filmstrip-item"]').count(), { timeout: 30_000 }).toBe(2);
  });

  it('denoises with 2 passes', async () => {
    await page.locator('[data-testid="filmstrip-item"]').first().click();
    const versions = page.locator('[data-testid="version-item"]');
    const before = await versions.count();
    await openPanel('denoise');
    await page.click('[data-testid="passes-2"]');
    await page.click('[data-testid="denoise-run"]');
    expect(await outcome(before)).toBe('done');
    expect(jobSpecs().filter((j) => j.type === 'denoise').at(-1)).toMatchObject({ type: 'denoise', passes: 2 });
  });

  it('exports the denoised version through the save dialog, cleaner than the input', async () => {
    await openPanel('export');
    await page.selectOption('[data-testid="export-format"]', 'png');
    await page.click('[data-testid="export-run"]');
    await expect.poll(() => existsSync(exported), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.locator('[data-testid="toast"]').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining('exported.png'));
    const input = await psnr(path.join(photos, 'clean.png'), path.join(photos, 'noisy photo.png'));
    const output = await psnr(path.join(photos, 'clean.png'), exported);
    expect(input).toBeLessThan(22);
    expect(output).toBeGreaterThan(input + 3);
  });

  it('paints a mask and inpaints under it', async () => {
    await page.locator('[data-testid="filmstrip-item"]').nth(1).click();
    const versions = page.locator('[data-testid="version-item"]');
    const before = await versions.count();
    await openPanel('mask');
    await page.click('[data-testid="mask-tool-brush"]');
    const box = (await page.locator('[data-testid="viewer-canvas"]').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx - 60, cy - 10);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(cx - 60 + i * 10, cy - 10 + i * 2);
    await page.mouse.up();
    await page.click('[data-testid="inpaint-run"]');
    expect(await outcome(before)).toBe('done');
    // The painted mask went to main as bytes (the window names no paths), then into the job.
    expect(stack.requests.some((r) => r.channel === 'mend:add-image-bytes' && (r.payload as { data: unknown }).data instanceof ArrayBuffer)).toBe(true);
    expect(jobSpecs().filter((j) => j.type === 'inpaint')).toHaveLength(1);
  });

  it('runs a batch of a chosen folder into a chosen folder, with 2 passes', async () => {
    await page.click('header button[data-page="batch"]');
    await page.waitForSelector('[data-testid="batch-run"]');
    await page.getByRole('button', { name: 'Add folder…' }).click();
    await expect.poll(() => page.getByText(photos).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.selectOption('[data-testid="batch-passes"]', '2');
    await page.locator('label', { has: page.locator('input[name="batch-out"][value="folder"]') }).click();
    await page.getByRole('button', { name: 'Choose…' }).click();
    await expect.poll(() => page.locator('[data-testid="batch-run"]').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.click('[data-testid="batch-run"]');
    await page.waitForSelector('[data-testid="batch-summary"]', { timeout: 120_000 });
    const batch = jobSpecs().find((j) => j.type === 'batch');
    expect(batch).toMatchObject({ type: 'batch', passes: 2, paths: [photos], outDir });
    const written = (await readdir(outDir)).sort();
    expect(written.length).toBeGreaterThanOrEqual(3);
    // The batch page's links go through mend-image, which serves the granted output folder's images.
    const status = await page.evaluate(async ({ dir: d, file }) => {
      const mend = (window as unknown as { mend: { batchOutputUrl(d: string, n: string): string } }).mend;
      return (await fetch(mend.batchOutputUrl(d, file))).status;
    }, { dir: outDir, file: written[0]! });
    expect(status).toBe(200);
  });
});
