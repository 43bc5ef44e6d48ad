/**
 * The app's window and the security hooks on every web contents (electron-importing glue; the
 * policy itself is security.ts). The window remembers its size and position (settings.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, screen, type Session, type WebContents } from 'electron';
import { APP_INDEX_URL } from './ipc-contract.js';
import {
  isAllowedDownload, isAllowedNavigation, isAllowedRequest, permissionDecision, windowOpenDecision, windowWebPreferences,
} from './security.js';
import { MIN_WINDOW, restoreWindowBounds, type SettingsStore } from './settings.js';

/** Applies the navigation / new-window / webview policy to a web contents (all of them: app.on('web-contents-created')). */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-frame-navigate', (e) => {
    if (!isAllowedNavigation(e.url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => windowOpenDecision(url));
}

/** Permissions, requests and downloads for the app's session. */
export function hardenSession(ses: Session, opts: { dev: boolean }): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, opts) }));
  ses.on('will-download', (e, item) => {
    if (!isAllowedDownload(item.getURL())) {
      e.preventDefault();
      return;
    }
    item.setSaveDialogOptions({ title: 'Save the batch output', defaultPath: path.join(app.getPath('downloads'), item.getFilename()) });
  });
}

/** build/icon.png for the window while developing; packaged builds carry the platform icons. */
function devIcon(): string | undefined {
  const icon = path.join(app.getAppPath(), 'build', 'icon.png');
  return !app.isPackaged && existsSync(icon) ? icon : undefined;
}

export function createMainWindow(opts: { preload: string; settings: SettingsStore; dev: boolean }): BrowserWindow {
  const { bounds, maximized } = restoreWindowBounds(opts.settings.value.window, screen.getAllDisplays().map((d) => d.workArea));
  const icon = devIcon();
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    show: false,
    title: 'Mend',
    backgroundColor: '#17181b',
    ...(icon ? { icon } : {}),
    webPreferences: windowWebPreferences(opts.preload, { devTools: opts.dev }),
  });
  if (maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const saveBounds = (): void => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    const b = win.getNormalBounds();
    opts.settings.update((s) => {
      s.window = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
    });
  };
  const later = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(saveBounds, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', saveBounds);
  win.on('unmaximize', saveBounds);
  win.on('close', () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveBounds();
  });

  void win.loadURL(APP_INDEX_URL);
  return win;
}
