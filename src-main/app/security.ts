/**
 * The desktop app's security policy (the Electron security checklist), as values and pure
 * functions; window.ts and main.ts apply them. Tested without Electron in
 * test/unit/app/security.test.ts.
 *
 *  - the window: context isolation, the Chromium sandbox, no Node.js anywhere in the page, web
 *    security on, no <webview>, no navigation by dropping a file;
 *  - the page comes from app://mend/ (app-protocol.ts) with a strict Content-Security-Policy
 *    header: scripts only from the app, images and fetches only from the app and mend-image:
 *    (workspace images), workers only from the app;
 *  - navigation anywhere but the app itself, new windows, permission requests and downloads
 *    from anywhere but mend-image: are refused, and requests to any other scheme (http, file,
 *    ...) are cancelled: the app never loads remote content;
 *  - IPC is answered only for the app's own window, from its top frame, on the app origin.
 */
import { APP_HOST, APP_ORIGIN, APP_SCHEME, IMAGE_HOST, IMAGE_SCHEME } from './ipc-contract.js';

/** BrowserWindow webPreferences for the app's window. */
export function windowWebPreferences(preload: string, opts: { devTools: boolean }) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  } as const;
}

/** The page's Content-Security-Policy, sent as a header by the app protocol. */
export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Svelte writes style attributes; no inline scripts are allowed.
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' ${IMAGE_SCHEME}: blob: data:`,
  // The viewer fetch()es workspace images to decode them off the main thread.
  `connect-src 'self' ${IMAGE_SCHEME}:`,
  "font-src 'self' data:",
  // The mask worker is a module file of the app.
  "worker-src 'self'",
  "media-src 'none'",
  "manifest-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every page the app protocol serves. */
export const APP_PAGE_HEADERS = {
  'Content-Security-Policy': DESKTOP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;

/**
 * The custom schemes, as protocol.registerSchemesAsPrivileged takes them. Both are "standard"
 * (real origins, so 'self' and CORS work) and "secure"; mend-image may be fetched (CORS, for
 * the app origin only: image-protocol.ts) and streams large images.
 */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
] as const;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether `url` is a page of the app itself (app://mend/...). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/** will-navigate / will-frame-navigate / will-redirect: only the app's own pages (a reload). */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** setWindowOpenHandler: no new windows, ever (links in model cards are plain text). */
export function windowOpenDecision(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests and checks (camera, notifications from the page, geolocation, ...): all refused. */
export function permissionDecision(_permission: string, _requestingUrl?: string): boolean {
  return false;
}

/**
 * webRequest.onBeforeRequest: what the page may load. The app's files, workspace images, and
 * in-memory blob:/data: URLs; devtools: only while developing. Everything else (http, https,
 * file, ws, ftp...) is cancelled, so even a CSP mistake could not load remote code.
 */
export function isAllowedRequest(url: string, opts: { dev: boolean } = { dev: false }): boolean {
  const u = parse(url);
  if (!u) return false;
  switch (u.protocol) {
    case `${APP_SCHEME}:`:
      return u.host === APP_HOST;
    case `${IMAGE_SCHEME}:`:
      return u.host === IMAGE_HOST;
    case 'blob:':
      return url.startsWith(`blob:${APP_ORIGIN}/`);
    case 'data:':
      return true;
    case 'devtools:':
    case 'chrome-extension:':
      return opts.dev;
    default:
      return false;
  }
}

/** will-download: only batch outputs served by mend-image (the links of the batch page). */
export function isAllowedDownload(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${IMAGE_SCHEME}:` && u.host === IMAGE_HOST && u.pathname === '/batch-output';
}

/** What Electron tells about the sender of an IPC message (event.senderFrame, event.sender). */
export interface SenderInfo {
  /** The sending frame's URL; undefined when the frame is gone (navigated away, destroyed). */
  frameUrl: string | undefined;
  /** Whether the frame is its page's top frame. */
  isMainFrame: boolean;
  webContentsId: number;
}

/**
 * Whether an IPC message comes from the app's own window: one of the app's web contents, its
 * top frame (never an iframe), showing an app:// page.
 */
export function isTrustedSender(s: SenderInfo, appWebContents: ReadonlySet<number>): boolean {
  if (!appWebContents.has(s.webContentsId)) return false;
  if (!s.isMainFrame || typeof s.frameUrl !== 'string') return false;
  // By scheme and host: URL.origin is "null" for custom schemes outside Chromium.
  return isAppUrl(s.frameUrl);
}
