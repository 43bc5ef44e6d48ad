/**
 * Browser test harness: a real `mend serve` (test/helpers/serve.ts: real engine, real models) driven by Debian's
 * Chromium through playwright-core. Screenshots of each main screen go to test-results/screens/
 * so a person can look at them after a run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/cli.js';
import type { Served } from '../helpers/serve.js';

export const SCREENS_DIR = resolve(REPO_ROOT, 'test-results', 'screens');

/** Debian's chromium (apt-get install chromium); MEND_CHROMIUM overrides. */
export function chromiumPath(): string {
  const candidates = [process.env.MEND_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    // Not a skip: without a browser the interface is untested, so the run must fail and say why.
    throw new Error('No Chromium found (looked in /usr/bin/chromium). Install Debian\'s chromium (`apt-get install chromium`) or set MEND_CHROMIUM.');
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/**
 * Opens the app and records main-thread long tasks (PerformanceObserver 'longtask') from the
 * first script on, so a test can check that no frame was blocked for more than 100 ms.
 */
export async function openApp(browser: Browser, server: Served): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(server.url);
  return page;
}

/** Long tasks recorded since `since` (performance.now() in the page). */
export async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((x) => x.start >= t), since);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  const file = resolve(SCREENS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Drops files on an element with a real `drop` event carrying a DataTransfer, as a file manager
 * drag would (dragenter, dragover, drop).
 */
export async function dropFiles(page: Page, selector: string, files: { name: string; mimeType: string; data: Buffer }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.mimeType, b64: f.data.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const bytes = Uint8Array.from(atob(it.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], it.name, { type: it.type }));
    }
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(selector, type, { dataTransfer });
  }
}

/** Pastes files as a clipboard paste would (a `paste` ClipboardEvent carrying a DataTransfer). */
export async function pasteFiles(page: Page, files: { name: string; mimeType: string; data: Buffer }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.mimeType, b64: f.data.toString('base64') }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const bytes = Uint8Array.from(atob(it.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], it.name, { type: it.type }));
    }
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, payload);
}
