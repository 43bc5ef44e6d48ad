// The desktop app's main process (src-main/app/main.ts and its electron-importing glue:
// window.ts, protocols.ts, ipc.ts, menu.ts, dialogs.ts) run under Node with a stand-in for the
// electron module that records what main asks of it. Where no Electron binary exists this is how
// the wiring is checked: the sandbox and schemes before ready, the single-instance lock, the
// window's preferences and app:// URL, the protocols answering real requests, every IPC channel
// going through the sender check to the real engine (in a stand-in utility process), files from
// the command line reaching the window, the menus, the session policy, and a clean quit.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, type Reply } from '../../src-main/app/ipc-contract.js';
import { DESKTOP_CSP } from '../../src-main/app/security.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { naturalImage } from '../helpers/synthetic.js';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Handler[]>();
  const rec = {
    tmp: '',
    paths: new Map<string, string>(),
    schemes: [] as unknown[],
    sandbox: false,
    lockData: undefined as unknown,
    protocols: new Map<string, Handler>(),
    ipc: new Map<string, Handler>(),
    windows: [] as { options: Record<string, unknown>; url: string; sent: { channel: string; payload: unknown }[]; contents: Record<string, unknown>; progress: number[] }[],
    menus: [] as unknown[],
    recent: [] as string[],
    session: { permission: undefined as Handler | undefined, check: undefined as Handler | undefined, request: undefined as Handler | undefined, download: undefined as Handler | undefined },
    quit: 0,
    utility: undefined as unknown,
    emit(event: string, ...args: unknown[]) {
      for (const l of listeners.get(event) ?? []) l(...args);
    },
  };
  let nextId = 1;
  class BrowserWindow {
    webContents: Record<string, unknown>;
    private readonly own = new Map<string, Handler[]>();
    constructor(options: Record<string, unknown>) {
      const sent: { channel: string; payload: unknown }[] = [];
      const progress: number[] = [];
      const contentsOn = new Map<string, Handler[]>();
      this.webContents = {
        id: nextId++,
        send: (channel: string, payload: unknown) => void sent.push({ channel, payload }),
        on: (e: string, h: Handler) => void (contentsOn.get(e) ?? contentsOn.set(e, []).get(e)!).push(h),
        setWindowOpenHandler: () => undefined,
      };
      rec.windows.push({ options, url: '', sent, contents: this.webContents, progress });
      (this as unknown as { progress: number[] }).progress = progress;
    }
    loadURL(url: string) {
      rec.windows.at(-1)!.url = url;
      return Promise.resolve();
    }
    on(e: string, h: Handler) {
      (this.own.get(e) ?? this.own.set(e, []).get(e)!).push(h);
      return this;
    }
    once(e: string, h: Handler) {
      return this.on(e, h);
    }
    maximize() {}
    show() {}
    isDestroyed() { return false; }
    isMinimized() { return false; }
    isFullScreen() { return false; }
    isMaximized() { return false; }
    isFocused() { return true; }
    restore() {}
    focus() {}
    flashFrame() {}
    getNormalBounds() { return { x: 10, y: 20, width: 1000, height: 700 }; }
    setProgressBar(v: number) { (this as unknown as { progress: number[] }).progress.push(v); }
  }
  const electron = {
    app: {
      isPackaged: false,
      enableSandbox: () => void (rec.sandbox = true),
      getPath: (name: string) => rec.paths.get(name) ?? `${rec.tmp}/${name}`,
      setPath: (name: string, value: string) => void rec.paths.set(name, value),
      setAppUserModelId: () => undefined,
      requestSingleInstanceLock: (data: unknown) => ((rec.lockData = data), true),
      on: (event: string, h: Handler) => void (listeners.get(event) ?? listeners.set(event, []).get(event)!).push(h),
      whenReady: () => Promise.resolve(),
      addRecentDocument: (p: string) => void rec.recent.push(p),
      clearRecentDocuments: () => void (rec.recent = []),
      getAppPath: () => process.cwd(),
      quit: () => void rec.quit++,
      exit: () => undefined,
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void rec.schemes.push(...s),
      handle: (scheme: string, h: Handler) => void rec.protocols.set(scheme, h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Handler) => void (rec.session.permission = h),
        setPermissionCheckHandler: (h: Handler) => void (rec.session.check = h),
        setDevicePermissionHandler: () => undefined,
        webRequest: { onBeforeRequest: (h: Handler) => void (rec.session.request = h) },
        on: (e: string, h: Handler) => void (e === 'will-download' && (rec.session.download = h)),
      },
    },
    ipcMain: { handle: (channel: string, h: Handler) => void rec.ipc.set(channel, h) },
    BrowserWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => void rec.menus.push(m) },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) },
    Notification: class { static isSupported() { return false; } on() {} show() {} },
    get utilityProcess() {
      return rec.utility;
    },
  };
  return { rec, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const rec = fake.rec;
let photo = '';
const APP_FRAME = (id: number) => ({ sender: { id }, senderFrame: { url: 'app://mend/index.html', parent: null } });

async function invoke<T>(channel: string, payload: unknown, event = APP_FRAME(win().contents.id as number)): Promise<Reply<T>> {
  return (await rec.ipc.get(channel)!(event, payload)) as Reply<T>;
}
const win = () => rec.windows[0]!;

async function waitFor<T>(get: () => T | undefined, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  rec.tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-electron-main-test-'));
  const { standInUtilityProcess } = await import('../helpers/utility-process.js');
  rec.utility = standInUtilityProcess();
  photo = path.join(rec.tmp, 'launched.png');
  await writeImage(photo, { raster: naturalImage(40, 32, 3, 9), bitDepth: 8, format: 'png' }, { keepMetadata: false });
  process.env.MEND_USER_DATA = path.join(rec.tmp, 'user-data');
  process.env.MEND_BACKEND = 'wasm';
  // As a file association launches the app: the photo on the command line.
  process.argv.push(photo);
  await import('../../src-main/app/main.js');
  await waitFor(() => (rec.windows.length ? true : undefined));
}, 60_000);

afterAll(async () => {
  process.argv.splice(process.argv.indexOf(photo), 1);
  delete process.env.MEND_USER_DATA;
  await rm(rec.tmp, { recursive: true, force: true });
});

describe('main process wiring (stand-in electron)', () => {
  it('sets up the sandbox, schemes, user-data folder and single-instance lock before the window', () => {
    expect(rec.sandbox).toBe(true);
    expect(rec.schemes.map((s) => (s as { scheme: string }).scheme)).toEqual(['app', 'mend-image']);
    expect(rec.paths.get('userData')).toBe(path.join(rec.tmp, 'user-data'));
    expect(rec.lockData).toEqual({ files: [photo] });
  });

  it('opens one window with the secure preferences, the built preload and the app:// page', () => {
    expect(rec.windows).toHaveLength(1);
    const prefs = win().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(existsSync(prefs.preload as string)).toBe(true);
    expect(prefs.preload).toMatch(/dist[/\\]preload[/\\]preload\.cjs$/);
    expect(win().url).toBe('app://mend/index.html');
  });

  it('serves the interface on app:// with the CSP header, and workspace images only on mend-image://', async () => {
    const page = (await rec.protocols.get('app')!({ url: 'app://mend/index.html', method: 'GET' })) as Response;
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(await page.text()).toContain('<div id="app">');
    const outside = (await rec.protocols.get('app')!({ url: 'app://mend/..%2f..%2fpackage.json', method: 'GET' })) as Response;
    expect(outside.status).toBe(404);
    const image = (await rec.protocols.get('mend-image')!({ url: 'mend-image://workspace/image/unknownid123/view', method: 'GET' })) as Response;
    expect(image.status).toBe(404);
    expect(image.headers.get('access-control-allow-origin')).toBe('app://mend');
  });

  it('answers every IPC channel, and only the app window', async () => {
    expect([...rec.ipc.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    const info = await invoke<{ mode: string }>('mend:info', {});
    expect(info).toMatchObject({ ok: true, value: { mode: 'desktop' } });
    const stranger = await invoke('mend:info', {}, { sender: { id: 999 }, senderFrame: { url: 'app://mend/index.html', parent: null } } as never);
    expect(stranger).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const iframe = await invoke('mend:info', {}, { sender: { id: win().contents.id }, senderFrame: { url: 'app://mend/index.html', parent: {} } } as never);
    expect(iframe).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('hands the file it was launched with to the window once the page listens, and lists it as recent', async () => {
    expect(win().sent.filter((s) => s.channel === 'mend:opened')).toEqual([]);
    await invoke('mend:ready', {});
    const opened = await waitFor(() => win().sent.find((s) => s.channel === 'mend:opened'));
    expect(opened.payload).toMatchObject({ images: [{ name: 'launched.png', width: 40 }], failures: [] });
    expect(rec.recent).toHaveLength(1);
    const menu = JSON.stringify(rec.menus.at(-1));
    expect(menu).toContain('launched.png');
  });

  it('denies navigation, new windows, webviews, permissions and remote requests', () => {
    const on = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    rec.emit('web-contents-created', {}, { on: (e: string, h: Handler) => void on.set(e, h), setWindowOpenHandler: (h: Handler) => void (openHandler = h) });
    let prevented = 0;
    const ev = { preventDefault: () => void prevented++ };
    on.get('will-navigate')!(ev, 'https://example.com/');
    on.get('will-navigate')!(ev, 'app://mend/index.html');
    on.get('will-frame-navigate')!({ ...ev, url: 'file:///etc/passwd' });
    on.get('will-attach-webview')!(ev);
    expect(prevented).toBe(3);
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    rec.session.permission!({}, 'media', (g: boolean) => void (granted = g));
    expect(granted).toBe(false);
    expect(rec.session.check!({}, 'notifications')).toBe(false);
    let cancel: unknown;
    rec.session.request!({ url: 'https://cdn.example.com/x.js' }, (r: { cancel: boolean }) => void (cancel = r.cancel));
    expect(cancel).toBe(true);
    rec.session.request!({ url: 'app://mend/assets/x.js' }, (r: { cancel: boolean }) => void (cancel = r.cancel));
    expect(cancel).toBe(false);
    let stopped = false;
    rec.session.download!({ preventDefault: () => void (stopped = true) }, { getURL: () => 'https://example.com/x.exe' });
    expect(stopped).toBe(true);
  });

  it('shows batch progress on the taskbar and clears it at the end', async () => {
    const id = 'batchprogress1';
    const img = (win().sent.find((s) => s.channel === 'mend:opened')!.payload as { images: { id: string }[] }).images[0]!.id;
    expect(await invoke('mend:job-start', { id, spec: { type: 'batch', task: 'denoise', images: [img], sigma: 10 } })).toMatchObject({ ok: true });
    await waitFor(() => win().sent.find((s) => s.channel === 'mend:job-end' && (s.payload as { job: string }).job === id));
    const bar = (win() as unknown as { progress: number[] }).progress;
    expect(bar.length).toBeGreaterThan(0);
    expect(bar.at(-1)).toBe(-1);
  });

  it('quits cleanly: engine stopped, settings written, workspace removed', async () => {
    let prevented = false;
    rec.emit('will-quit', { preventDefault: () => void (prevented = true) });
    expect(prevented).toBe(true);
    await waitFor(() => (rec.quit > 0 ? true : undefined), 20_000);
    const settings = JSON.parse(await readFile(path.join(rec.tmp, 'user-data', 'settings.json'), 'utf8')) as { recentFiles: string[] };
    expect(settings.recentFiles).toHaveLength(1);
    // The workspace lived under app.getPath('temp').
    expect(readdirSync(path.join(rec.tmp, 'temp')).filter((n) => n.startsWith('mend-desktop-'))).toEqual([]);
  });
});
