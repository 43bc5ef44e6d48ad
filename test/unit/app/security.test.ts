// The desktop app's security policy (src-main/app/security.ts) and its IPC gate (dispatch.ts),
// checked as values and pure functions: what the window may run, load, navigate to and ask for,
// and who may talk to main.
import { describe, expect, it } from 'vitest';
import { dispatch, UNTRUSTED_SENDER } from '../../../src-main/app/dispatch.js';
import type { Handlers } from '../../../src-main/app/desktop-host.js';
import {
  APP_PAGE_HEADERS, DESKTOP_CSP, PRIVILEGED_SCHEMES, isAllowedDownload, isAllowedNavigation, isAllowedRequest, isTrustedSender,
  permissionDecision, windowOpenDecision, windowWebPreferences, type SenderInfo,
} from '../../../src-main/app/security.js';

function csp(): Map<string, string[]> {
  return new Map(DESKTOP_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('window web preferences', () => {
  const prefs = windowWebPreferences('/app/dist/preload/preload.cjs', { devTools: false });

  it('isolates the page and keeps Node.js out of it', () => {
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
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
      devTools: false,
    });
  });

  it('has no key that would loosen the defaults', () => {
    for (const risky of ['enableRemoteModule', 'enableBlinkFeatures', 'additionalArguments', 'disableBlinkFeatures', 'partition']) {
      expect(prefs).not.toHaveProperty(risky);
    }
    expect(windowWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });
});

describe('Content-Security-Policy', () => {
  it('allows scripts, workers and styles only from the app itself', () => {
    const d = csp();
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('worker-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('frame-src')).toEqual(["'none'"]);
  });

  it('lets the viewer fetch workspace images and nothing remote', () => {
    const d = csp();
    expect(d.get('connect-src')).toEqual(["'self'", 'mend-image:']);
    expect(d.get('img-src')).toContain('mend-image:');
    expect(DESKTOP_CSP).not.toMatch(/https?:|\*|'unsafe-eval'|'wasm-unsafe-eval'/);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('is sent with the page headers', () => {
    expect(APP_PAGE_HEADERS['Content-Security-Policy']).toBe(DESKTOP_CSP);
    expect(APP_PAGE_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });

  it('registers app: and mend-image: as standard, secure schemes (real origins for self and CORS)', () => {
    const byName = Object.fromEntries(PRIVILEGED_SCHEMES.map((s) => [s.scheme, s.privileges]));
    expect(byName.app).toMatchObject({ standard: true, secure: true });
    expect(byName['mend-image']).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, corsEnabled: true });
    for (const p of Object.values(byName)) expect(p).not.toHaveProperty('bypassCSP');
  });
});

describe('navigation, windows, permissions, requests', () => {
  it('navigates only within the app', () => {
    expect(isAllowedNavigation('app://mend/index.html')).toBe(true);
    expect(isAllowedNavigation('app://mend/')).toBe(true);
    for (const url of [
      'https://example.com/', 'http://localhost:5173/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<script>1</script>',
      'app://evil/index.html', 'app://mend@evil/', 'mend-image://workspace/image/abcdefgh12/view', 'about:blank', 'not a url', '',
    ]) expect(isAllowedNavigation(url), url).toBe(false);
  });

  it('never opens a new window', () => {
    expect(windowOpenDecision('https://example.com')).toEqual({ action: 'deny' });
    expect(windowOpenDecision('app://mend/index.html')).toEqual({ action: 'deny' });
  });

  it('refuses every permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      expect(permissionDecision(p, 'app://mend/index.html'), p).toBe(false);
    }
  });

  it('loads only app files, workspace images and in-memory data', () => {
    expect(isAllowedRequest('app://mend/assets/index.js')).toBe(true);
    expect(isAllowedRequest('mend-image://workspace/image/abcdefgh12/view')).toBe(true);
    expect(isAllowedRequest('blob:app://mend/1234-5678')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    for (const url of ['https://cdn.example.com/x.js', 'http://127.0.0.1:8080/', 'file:///home/u/photo.jpg', 'ws://localhost/', 'ftp://x/',
      'app://other/x.js', 'mend-image://elsewhere/x', 'blob:https://evil.example/1', 'devtools://devtools/bundled/x.html']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
    expect(isAllowedRequest('devtools://devtools/bundled/x.html', { dev: true })).toBe(true);
  });

  it('downloads only batch outputs', () => {
    expect(isAllowedDownload('mend-image://workspace/batch-output?dir=workspace%3Aabcdefgh12&name=a.png')).toBe(true);
    expect(isAllowedDownload('mend-image://workspace/image/abcdefgh12/view')).toBe(false);
    expect(isAllowedDownload('https://example.com/setup.exe')).toBe(false);
    expect(isAllowedDownload('app://mend/index.html')).toBe(false);
  });
});

describe('IPC sender check', () => {
  const app = new Set([7]);
  const ok: SenderInfo = { frameUrl: 'app://mend/index.html', isMainFrame: true, webContentsId: 7 };

  it('trusts the top frame of the app window on the app origin', () => {
    expect(isTrustedSender(ok, app)).toBe(true);
  });

  it('refuses other windows, subframes, gone frames and other origins', () => {
    expect(isTrustedSender({ ...ok, webContentsId: 8 }, app)).toBe(false);
    expect(isTrustedSender({ ...ok, isMainFrame: false }, app)).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: undefined }, app)).toBe(false);
    for (const frameUrl of ['https://evil.example/', 'file:///tmp/x.html', 'app://evil/', 'about:blank', 'data:text/html,x', 'mend-image://workspace/x', '']) {
      expect(isTrustedSender({ ...ok, frameUrl }, app), frameUrl).toBe(false);
    }
    expect(isTrustedSender(ok, new Set())).toBe(false);
  });
});

describe('dispatch (sender check, validation, handler, reply envelope)', () => {
  const calls: unknown[] = [];
  const handlers = {
    'mend:remove-image': async (p: unknown) => void calls.push(p),
    'mend:model-details': async () => {
      throw Object.assign(new Error('boom\n    at secret/stack.js:1'), {});
    },
  } as unknown as Handlers;
  const ctx = { handlers, appWebContents: new Set([1]) };
  const sender: SenderInfo = { frameUrl: 'app://mend/index.html', isMainFrame: true, webContentsId: 1 };

  it('runs the handler with the validated payload', async () => {
    const r = await dispatch('mend:remove-image', sender, { id: 'abcdefgh1234' }, ctx);
    expect(r).toEqual({ ok: true, value: null });
    expect(calls).toEqual([{ id: 'abcdefgh1234' }]);
  });

  it('refuses an untrusted sender before looking at the payload', async () => {
    const r = await dispatch('mend:remove-image', { ...sender, frameUrl: 'https://evil.example/' }, { id: 'abcdefgh1234' }, ctx);
    expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: UNTRUSTED_SENDER } });
  });

  it('refuses unknown channels and bad payloads with a usage error, never calling the handler', async () => {
    calls.length = 0;
    expect(await dispatch('mend:eval', sender, {}, ctx)).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await dispatch('mend:remove-image', sender, { id: '../../etc/passwd' }, ctx)).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await dispatch('mend:remove-image', sender, JSON.parse('{"id":"abcdefgh1234","__proto__":{"x":1}}'), ctx)).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(calls).toEqual([]);
  });

  it('turns a handler failure into one line without a stack', async () => {
    const r = await dispatch('mend:model-details', sender, { id: 'color-denoise' }, ctx);
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'internal error: boom' } });
  });
});
