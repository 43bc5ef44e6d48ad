/**
 * The desktop app without Electron's binary: the real renderer bundle in Debian's Chromium, the
 * real preload bundle (dist/preload/preload.cjs) giving the page `window.mend`, and each of its
 * IPC calls answered by the real main-process code (dispatch.ts: the sender check and the schema
 * validation; desktop-host.ts: the handlers and grants) on the real engine in its own process.
 * Only the `electron` module is stood in, and only where Chromium has no equivalent:
 *
 *  - ipcRenderer.invoke goes to a Playwright binding that calls dispatch() with the sending
 *    frame's real URL and whether it is the top frame; byte payloads travel as base64 and
 *    arrive as ArrayBuffers, as Electron's structured clone delivers them;
 *  - webContents.send (main -> page) calls the listeners the preload registered;
 *  - contextBridge.exposeInMainWorld sets the global;
 *  - protocol.handle: Chromium cannot register app:// and mend-image://, so the page is loaded
 *    from http://app.mend.test/ and images from http://workspace.mend-image.test/, both answered
 *    (page.route) by the real resolvers (resolveAppAsset, resolveImageRequest) on the URL mapped
 *    back to its scheme, with the app's CSP and CORS headers mapped the same way. The stand-in
 *    contextBridge maps the three URL builders of `window.mend` to those origins. Every other
 *    request is cancelled, as the app's session does.
 *
 * Native dialogs are answered by the test (Dialogs of desktop-host.ts), as File > Open does it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { resolveAppAsset } from '../../src-main/app/app-protocol.js';
import type { DesktopHost } from '../../src-main/app/desktop-host.js';
import { dispatch } from '../../src-main/app/dispatch.js';
import { imageHeaders, resolveImageRequest, type ImageSource } from '../../src-main/app/image-protocol.js';
import { APP_ORIGIN, IMAGE_ORIGIN, IMAGE_SCHEME, type EventChannel, type EventPayloads } from '../../src-main/app/ipc-contract.js';
import { REPO_ROOT } from '../helpers/cli.js';

export const PAGE_ORIGIN = 'http://app.mend.test';
export const IMAGES_ORIGIN = 'http://workspace.mend-image.test';
export const PAGE_URL = `${PAGE_ORIGIN}/index.html`;
/** The app window's webContents id (main.ts keeps the set of the app's windows). */
const WINDOW_ID = 1;

/** What the stand-in gives the page before any of its scripts run: the electron module and the preload. */
function standInScript(preload: string): string {
  return `(() => {
  // The real preload runs in the top frame only (nodeIntegrationInSubFrames is off).
  if (window.top !== window || location.origin !== ${JSON.stringify(PAGE_ORIGIN)}) return;
  const listeners = new Map();
  const toWire = (x) => {
    if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) {
      const b = x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      let s = '';
      for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
      return { __bytes: btoa(s) };
    }
    if (Array.isArray(x)) return x.map(toWire);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toWire(v)]));
    return x;
  };
  const invoke = window.__mendInvoke;
  delete window.__mendInvoke;
  const toImages = (u) => typeof u === 'string' ? u.replace(${JSON.stringify(IMAGE_ORIGIN)}, ${JSON.stringify(IMAGES_ORIGIN)}) : u;
  const electron = {
    contextBridge: {
      exposeInMainWorld(key, api) {
        const mapped = { ...api };
        for (const f of ['imageUrl', 'diffUrl', 'batchOutputUrl']) mapped[f] = (...a) => toImages(api[f](...a));
        Object.defineProperty(window, key, { value: Object.freeze(mapped), enumerable: true });
      },
    },
    ipcRenderer: {
      invoke: (channel, payload) => invoke(channel, toWire(payload)),
      on(channel, l) { (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)).add(l); },
      removeListener(channel, l) { listeners.get(channel)?.delete(l); },
    },
  };
  window.__mendSend = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l({}, payload); };
  const module = { exports: {} };
  (function (require, module, exports) {
${preload}
  })((m) => { if (m !== 'electron') throw new Error('a sandboxed preload cannot require ' + m); return electron; }, module, module.exports);
})();`;
}

function fromWire(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(fromWire);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.__bytes === 'string' && Object.keys(o).length === 1) {
      const b = Buffer.from(o.__bytes, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromWire(v)]));
  }
  return x;
}

/** http://app.mend.test/x -> app://mend/x, http://workspace.mend-image.test/x -> mend-image://workspace/x. */
export function toAppUrl(url: string): string {
  if (url.startsWith(PAGE_ORIGIN)) return APP_ORIGIN + url.slice(PAGE_ORIGIN.length);
  if (url.startsWith(IMAGES_ORIGIN)) return IMAGE_ORIGIN + url.slice(IMAGES_ORIGIN.length);
  return url;
}

const mapHeaders = (h: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.replaceAll(`${IMAGE_SCHEME}:`, IMAGES_ORIGIN).replaceAll(APP_ORIGIN, PAGE_ORIGIN)]));

export interface DesktopStack {
  page: Page;
  /** Every IPC request the page made, as main received it (channel and payload, before validation). */
  requests: { channel: string; payload: unknown }[];
  /** main -> page, for DesktopHostOptions.send. */
  send<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void;
}

/**
 * Opens the app window in `context`: the preload and the stand-in go in first, IPC goes to
 * `host()` through dispatch(), app:// and mend-image:// requests to the real resolvers.
 */
export async function openDesktopWindow(context: BrowserContext, host: () => DesktopHost, images: ImageSource): Promise<DesktopStack> {
  const preload = await readFile(path.join(REPO_ROOT, 'dist', 'preload', 'preload.cjs'), 'utf8');
  const rendererDir = path.join(REPO_ROOT, 'dist', 'renderer');
  const requests: DesktopStack['requests'] = [];
  const appWebContents = new Set([WINDOW_ID]);

  await context.exposeBinding('__mendInvoke', async (source, channel: string, payload: unknown) => {
    const p = fromWire(payload);
    requests.push({ channel, payload: p });
    const sender = { frameUrl: toAppUrl(source.frame.url()), isMainFrame: source.frame === source.page.mainFrame(), webContentsId: WINDOW_ID };
    return dispatch(channel, sender, p, { handlers: host().handlers, appWebContents });
  });
  await context.addInitScript({ content: standInScript(preload) });
  await context.route('**/*', async (route: Route) => {
    const req = route.request();
    const url = req.url();
    if (url.startsWith(`${PAGE_ORIGIN}/`)) {
      const r = await resolveAppAsset(toAppUrl(url), req.method(), rendererDir);
      if (!r.ok) return route.fulfill({ status: r.status, headers: mapHeaders(r.headers), body: r.text });
      return route.fulfill({ status: 200, headers: mapHeaders(r.headers), body: await readFile(r.file) });
    }
    if (url.startsWith(`${IMAGES_ORIGIN}/`)) {
      const r = await resolveImageRequest(toAppUrl(url), req.method(), images);
      if (!r.ok) return route.fulfill({ status: r.status, headers: mapHeaders({ 'Access-Control-Allow-Origin': APP_ORIGIN }), body: r.message });
      const download = new URL(url).pathname === '/batch-output';
      return route.fulfill({ status: 200, headers: mapHeaders(imageHeaders(r.file, download)), body: await readFile(r.file) });
    }
    // The app's session cancels every other request (security.ts isAllowedRequest).
    return route.abort('blockedbyclient');
  });

  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  const send: DesktopStack['send'] = (channel, payload) => {
    page.evaluate(([c, p]) => (window as unknown as { __mendSend(c: string, p: unknown): void }).__mendSend(c, p), [channel, payload] as const)
      .catch(() => undefined);
  };
  return { page, requests, send };
}
