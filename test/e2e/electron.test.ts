/**
 * End-to-end: the real desktop app (Electron, `electron .` as `npm start` runs it) driven by
 * playwright-core's Electron support: a noisy photo given on the command line (as a file
 * association does) opens in the window, is denoised by the engine in its utility process, and
 * is exported through the save dialog (stubbed in main to answer with a path); the export is
 * measurably cleaner than the input. Along the way: the page has no Node.js, cannot fetch or
 * open remote content, and cannot open paths it was not given.
 *
 * It runs whenever an Electron binary is present (ELECTRON_OVERRIDE_DIST_PATH, or
 * node_modules/electron/dist after `npm start` downloaded it). Where there is none (the build
 * machines: Electron's download comes from GitHub) its tests are reported as skipped, with one
 * line saying why. The desktop stack minus the binary is tested in test/e2e/desktop-stack.test.ts.
 * On Linux without a display it asks Chromium for its headless platform (or run it under xvfb-run).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectron } from '../../scripts/electron-binary.mjs';
import { writeImage } from '../../src-main/core/image/io.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

const electron = findElectron();

async function psnr(a: string, b: string): Promise<number> {
  const ra = await sharp(a).removeAlpha().raw().toBuffer();
  const rb = await sharp(b).removeAlpha().raw().toBuffer();
  expect(ra.length).toBe(rb.length);
  let se = 0;
  for (let i = 0; i < ra.length; i++) se += (ra[i]! - rb[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / ra.length));
}

// Without a binary the file reports its tests as skipped (vitest lists them so), never as passed.
if (!electron.path) console.log(`electron e2e: skipped — ${electron.missing}.`);

describe.skipIf(!electron.path)('desktop app (Electron)', () => {
  let dir = '';
  let app: ElectronApplication;
  let page: Page;
  let clean = '';
  let noisy = '';
  let exported = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mend-electron-e2e-'));
    clean = path.join(dir, 'clean.png');
    noisy = path.join(dir, 'noisy photo.png');
    exported = path.join(dir, 'exported.png');
    const raster = naturalImage(160, 120, 3, 21);
    await writeImage(clean, { raster, bitDepth: 8, format: 'png' }, { keepMetadata: false });
    // Gaussian noise, sigma 25 (on 0-255), from a fixed seed.
    let s = 12345;
    const uniform = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
    const data = Float32Array.from(raster.data, (v) => v + (25 / 255) * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
    await writeImage(noisy, { raster: { ...raster, data }, bitDepth: 8, format: 'png' }, { keepMetadata: false });

    // Playwright adds --no-sandbox on Linux (containers, root).
    const args = [REPO_ROOT, noisy];
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) args.unshift('--ozone-platform=headless');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
    // No executablePath: Playwright then takes the binary from the electron package (which
    // honours ELECTRON_OVERRIDE_DIST_PATH, as findElectron does) and adds its loader, which
    // holds the app's ready event until it is connected.
    app = await _electron.launch({
      args,
      cwd: REPO_ROOT,
      env: { ...env, MEND_USER_DATA: path.join(dir, 'user-data'), MEND_BACKEND: 'wasm' },
      timeout: 90_000,
    });
    // The native save dialog cannot be clicked by a test: main's dialog answers with a path.
    await app.evaluate(({ dialog }, target) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: target })) as typeof dialog.showSaveDialog;
    }, exported);
    page = await app.firstWindow();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function openPanel(id: string): Promise<void> {
    const head = page.locator(`button[aria-controls="panel-${id}"]`);
    if ((await head.count()) && (await head.getAttribute('aria-expanded')) !== 'true') await head.click();
  }

  it('loads the interface from app:// with the desktop API and no Node.js in the page', async () => {
    expect(page.url()).toBe('app://mend/index.html');
    const seen = await page.evaluate(() => {
      const w = window as unknown as { require?: unknown; process?: unknown; mend?: { desktop?: Record<string, unknown> } };
      return { require: typeof w.require, process: typeof w.process, desktop: Object.keys(w.mend?.desktop ?? {}).sort() };
    });
    expect(seen).toEqual({ require: 'undefined', process: 'undefined', desktop: ['chooseFolder', 'onEngineStatus', 'onImagesOpened', 'onMenuCommand'] });
    await expect.poll(() => page.textContent('[data-testid="status-backend"]'), { timeout: 60_000 }).toMatch(/wasm|webassembly/i);
  });

  it('refuses remote content, new windows and paths it was not given', async () => {
    const r = await page.evaluate(async () => {
      const remote = await fetch('https://example.com/').then(() => 'loaded', () => 'blocked');
      const popup = window.open('https://example.com/');
      const w = window as unknown as { mend: { openPath(p: string): Promise<unknown> } };
      const open = await w.mend.openPath('/etc/passwd').then(() => 'opened', (e: { code?: string }) => e.code);
      const image = await fetch('mend-image://workspace/image/notanimage123/view').then((x) => x.status, () => -1);
      return { remote, popup: popup === null, open, image };
    });
    expect(r).toEqual({ remote: 'blocked', popup: true, open: 'forbidden', image: 404 });
    expect(app.windows()).toHaveLength(1);
  });

  it('opens the photo from the command line, denoises it and exports it through the save dialog', async () => {
    await page.waitForSelector('[data-testid="filmstrip-item"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="filmstrip-item"]').count()).toBe(1);
    const versions = page.locator('[data-testid="version-item"]');
    const before = await versions.count();
    await openPanel('denoise');
    await page.click('[data-testid="denoise-run"]');
    await expect.poll(() => versions.count(), { timeout: 120_000 }).toBeGreaterThan(before);

    await openPanel('export');
    await page.selectOption('[data-testid="export-format"]', 'png');
    await page.click('[data-testid="export-run"]');
    await expect.poll(() => existsSync(exported), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.locator('[data-testid="toast"]').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining('exported.png'));

    const input = await psnr(clean, noisy);
    const output = await psnr(clean, exported);
    expect(input).toBeLessThan(22);
    expect(output).toBeGreaterThan(input + 3);
  }, 240_000);
});
