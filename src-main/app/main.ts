/**
 * The desktop app's main process (package.json "main"): life cycle and wiring only. It never
 * loads TensorFlow.js or sharp (a busy or crashed main process would freeze or kill every
 * window); images and models are the engine's, in a utility process (engine-process.ts), and
 * everything main decides is in pure modules beside this file:
 *
 *   security.ts        window preferences, CSP, navigation / permission / request policy, IPC sender check
 *   validate.ts        IPC payload validation        dispatch.ts   sender check + validation + handler
 *   desktop-host.ts    MendApi on the engine          grants.ts     the paths the user gave the app
 *   app-protocol.ts    app:// (the interface)         image-protocol.ts   mend-image:// (workspace images)
 *   argv.ts            files from the command line    settings.ts   window bounds, recent files, folders
 *   progress.ts        taskbar progress, notices      menu-template.ts    the menus
 *
 * Single instance: a second launch hands its files to this one and quits. Files double-clicked
 * in the file manager (file associations), dropped on the dock or taskbar icon, or named on the
 * command line open in the running window.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Notification, protocol, session, utilityProcess } from 'electron';
import { EngineClient } from '../host/client.js';
import { createHostWorkspace, type HostWorkspace } from '../host/host.js';
import { defaultRendererDir } from './app-protocol.js';
import { filesFromArgv, filesFromSecondInstance } from './argv.js';
import { DesktopHost } from './desktop-host.js';
import { nativeDialogs } from './dialogs.js';
import { utilityProcessLauncher } from './engine-process.js';
import { Grants } from './grants.js';
import { registerIpc } from './ipc.js';
import type { EventChannel, EventPayloads } from './ipc-contract.js';
import { installMenu } from './menu.js';
import type { MenuAction } from './menu-template.js';
import { TaskbarProgress } from './progress.js';
import { registerProtocols } from './protocols.js';
import { PRIVILEGED_SCHEMES } from './security.js';
import { liveFolderGrants, pushFolderGrant, pushRecent, SettingsStore } from './settings.js';
import { createMainWindow, hardenSession, hardenWebContents } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/preload/preload.cjs (vite.preload.config.ts), seen from dist/src-main/app or from the sources. */
const PRELOAD = [path.resolve(here, '..', '..', 'preload', 'preload.cjs'), path.resolve(here, '..', '..', 'dist', 'preload', 'preload.cjs')]
  .find((p) => existsSync(p)) ?? path.resolve(here, '..', '..', 'preload', 'preload.cjs');
const dev = !app.isPackaged;

// ---- Before ready: schemes, sandbox, user-data folder, single instance ----------------------

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));
app.enableSandbox();
// One folder whatever the build: ~/.config/Mend, %APPDATA%\Mend, ~/Library/Application Support/Mend
// (user models in its models/). MEND_USER_DATA moves it (tests, portable use).
app.setPath('userData', process.env.MEND_USER_DATA ? path.resolve(process.env.MEND_USER_DATA) : path.join(app.getPath('appData'), 'Mend'));
if (process.platform === 'win32') app.setAppUserModelId('app.mend.desktop');

const launchFiles = filesFromArgv(process.argv, process.cwd(), { defaultApp: process.defaultApp === true });
if (!app.requestSingleInstanceLock({ files: launchFiles })) {
  // The running instance got our files through 'second-instance'.
  app.quit();
} else {
  start();
}

function start(): void {
  let host: DesktopHost | undefined;
  let win: BrowserWindow | undefined;
  const pendingFiles: string[] = [...launchFiles];
  const appWebContents = new Set<number>();

  const openFiles = (files: string[]): void => {
    if (!files.length) return;
    if (host) void host.openFiles(files);
    else pendingFiles.push(...files);
  };
  const focus = (): void => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  };

  // macOS: a file double-clicked in Finder or dropped on the dock icon (may come before ready).
  app.on('open-file', (e, file) => {
    e.preventDefault();
    openFiles([file]);
    focus();
  });
  app.on('second-instance', (_e, argv, cwd, additionalData) => {
    const files = filesFromSecondInstance(additionalData);
    openFiles(files.length ? files : filesFromArgv(argv, cwd, { defaultApp: dev }));
    focus();
  });
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));

  let workspace: HostWorkspace | undefined;
  let engine: EngineClient | undefined;
  let settings: SettingsStore | undefined;

  app.whenReady().then(async () => {
    const userData = app.getPath('userData');
    settings = new SettingsStore(path.join(userData, 'settings.json'));
    const store = settings;
    workspace = await createHostWorkspace('mend-desktop-', app.getPath('temp'));
    const grants = new Grants();
    // Folders from earlier sessions only while in date (settings.ts); older ones need the dialog again.
    for (const f of liveFolderGrants(store.value.grantedFolders, Date.now())) await grants.grantFolder(f);

    const send = <C extends EventChannel>(channel: C, payload: EventPayloads[C]): void => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    };
    engine = new EngineClient({
      workspaceDir: workspace.dir,
      mode: 'desktop',
      launcher: utilityProcessLauncher(utilityProcess),
      env: {
        MEND_USER_MODELS: path.join(userData, 'models'),
        MEND_CACHE_DIR: path.join(userData, 'engine-cache'),
        // Packaged: models/ ships as an extra resource beside app.asar (electron-builder.yml).
        ...(app.isPackaged ? { MEND_MODELS: path.join(process.resourcesPath, 'models') } : {}),
      },
      onEngineExit: ({ planned, message }) => {
        send('mend:engine', { state: 'restarted', planned, message });
        // Start the next engine now, so the retry does not wait for TensorFlow.js to load.
        engine?.call('info').catch(() => undefined);
      },
    });
    const client = engine;

    const progress = new TaskbarProgress();
    let shown = -1;
    const showProgress = (): void => {
      const v = progress.value();
      // Only visible changes (half a percent), not every tile's event.
      if (Math.abs(v - shown) < 0.005 && !(v < 0 && shown >= 0)) return;
      shown = v;
      if (win && !win.isDestroyed()) win.setProgressBar(v, { mode: v === 2 ? 'indeterminate' : 'normal' });
    };

    const rebuildMenu = (): void => installMenu({ platform: process.platform, recent: store.value.recentFiles, dev }, runMenu);
    const dialogs = nativeDialogs(() => (win && !win.isDestroyed() ? win : undefined), store);
    host = new DesktopHost({
      engine: client,
      workspaceDir: workspace.dir,
      grants,
      dialogs,
      send,
      opened: (file) => {
        app.addRecentDocument(file);
        store.update((s) => void (s.recentFiles = pushRecent(s.recentFiles, file)));
        rebuildMenu();
      },
      folderChosen: (folder) => store.update((s) => void (s.grantedFolders = pushFolderGrant(s.grantedFolders, folder, Date.now()))),
      jobs: {
        started: (id, spec) => {
          progress.start(id, spec);
          showProgress();
        },
        event: (id, e) => {
          progress.event(id, e);
          showProgress();
        },
        ended: (id, outcome) => {
          const notice = progress.end(id, outcome);
          showProgress();
          if (notice && Notification.isSupported()) {
            const n = new Notification({ title: notice.title, body: notice.body });
            n.on('click', focus);
            n.show();
          }
          if (notice && win && !win.isDestroyed() && !win.isFocused()) win.flashFrame(true);
        },
      },
    });
    const desktop = host;

    function runMenu(a: MenuAction): void {
      switch (a.kind) {
        case 'open':
          void desktop.openWithDialog();
          return;
        case 'open-recent':
          void desktop.openFiles([a.path]);
          return;
        case 'clear-recent':
          app.clearRecentDocuments();
          store.update((s) => void (s.recentFiles = []));
          rebuildMenu();
          return;
        case 'command':
          send('mend:menu', { command: a.command });
          return;
      }
    }

    hardenSession(session.defaultSession, { dev });
    registerProtocols({
      rendererDir: defaultRendererDir(),
      images: {
        workspaceDir: workspace.dir,
        diffImage: (a, b, gain) => client.call('diffImage', a, b, gain),
        batchOutputFile: (dir, name) => client.call('batchOutputFile', dir, name),
        checkFolder: (dir) => grants.check(dir, 'Folder'),
      },
    });
    registerIpc(desktop.handlers, appWebContents);
    rebuildMenu();

    const createWindow = (): void => {
      const w = createMainWindow({ preload: PRELOAD, settings: store, dev });
      const id = w.webContents.id;
      appWebContents.add(id);
      // A reload makes the page listen again before it gets queued files.
      w.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) desktop.windowGone();
      });
      w.on('closed', () => {
        appWebContents.delete(id);
        desktop.windowGone();
        if (win === w) win = undefined;
      });
      w.on('focus', () => w.flashFrame(false));
      win = w;
    };
    createWindow();
    app.on('activate', () => {
      if (!win) createWindow();
    });

    // Start the engine while the window loads: the first action does not wait for it.
    client.call('info').catch(() => undefined);
    const files = pendingFiles.splice(0);
    if (files.length) void desktop.openFiles(files);
  }).catch((e: unknown) => {
    console.error(`mend: the desktop app could not start: ${(e as Error).stack ?? String(e)}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let cleaned = false;
  app.on('will-quit', (e) => {
    if (cleaned) return;
    e.preventDefault();
    cleaned = true;
    void (async () => {
      await Promise.allSettled([engine?.close(), settings?.flush()]);
      await workspace?.remove().catch(() => undefined);
      app.quit();
    })();
  });
}
