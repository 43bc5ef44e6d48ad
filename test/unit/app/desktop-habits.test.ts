// Desktop habits as pure logic: files from a command line / second launch (argv.ts), what the
// user granted (grants.ts), settings with window bounds and recent files (settings.ts), taskbar
// progress and end-of-job notices (progress.ts), and the menus (menu-template.ts).
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesFromArgv, filesFromSecondInstance } from '../../../src-main/app/argv.js';
import { exportDefaultName } from '../../../src-main/app/desktop-host.js';
import { Grants } from '../../../src-main/app/grants.js';
import { menuTemplate, type MenuItemSpec } from '../../../src-main/app/menu-template.js';
import { NOTIFY_AFTER_SECONDS, TaskbarProgress } from '../../../src-main/app/progress.js';
import { FOLDER_GRANT_DAYS, liveFolderGrants, parseSettings, pushFolderGrant, pushRecent, restoreWindowBounds, SettingsStore } from '../../../src-main/app/settings.js';
import type { BatchResult } from '../../../src-main/shared/api.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-habits-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('files from the command line', () => {
  it('takes image files, skipping the executable, the app folder and switches', () => {
    const argv = ['/opt/electron/electron', '--inspect=0', '.', '--no-sandbox', 'a.jpg', '/pics/b.TIFF', 'notes.txt', 'file:///pics/c%20d.png', '-psn_0_123', 'a.jpg'];
    expect(filesFromArgv(argv, '/home/u', { defaultApp: true })).toEqual(['/home/u/a.jpg', '/pics/b.TIFF', '/pics/c d.png']);
    expect(filesFromArgv(['/opt/Mend/mend-desktop', 'x.heic', 'y.webp'], '/w', { defaultApp: false })).toEqual(['/w/x.heic', '/w/y.webp']);
    // Camera RAW files (issue 24), as the file associations hand them over.
    expect(filesFromArgv(['/opt/Mend/mend-desktop', 'IMG_1.CR2', '/r/IMG_2.dng', 'DSC_3.NEF', 'x.xmp'], '/w', { defaultApp: false })).toEqual(['/w/IMG_1.CR2', '/r/IMG_2.dng', '/w/DSC_3.NEF']);
    expect(filesFromArgv(['/opt/Mend/mend-desktop'], '/w', { defaultApp: false })).toEqual([]);
  });

  it('checks what a second launch sends again', () => {
    expect(filesFromSecondInstance({ files: ['/a/b.jpg', 'relative.png', '/a/c.exe', 42, '/a/\0.png', `/${'x'.repeat(5000)}.png`] })).toEqual(['/a/b.jpg']);
    expect(filesFromSecondInstance(null)).toEqual([]);
    expect(filesFromSecondInstance({ files: 'x' })).toEqual([]);
  });
});

describe('grants', () => {
  it('allows granted files and what lies under granted folders, by real path', async () => {
    const photos = path.join(tmp, 'photos');
    await mkdir(path.join(photos, 'sub'), { recursive: true });
    await writeFile(path.join(photos, 'sub', 'a.jpg'), 'x');
    await writeFile(path.join(tmp, 'single.png'), 'x');
    await writeFile(path.join(tmp, 'other.png'), 'x');
    await symlink(tmp, path.join(photos, 'up'));
    const g = new Grants();
    await g.grantFolder(photos);
    await g.grantFile(path.join(tmp, 'single.png'));
    expect(await g.check(path.join(photos, 'sub', 'a.jpg'))).toMatch(/sub[/\\]a\.jpg$/);
    expect(await g.check(path.join(photos, 'new-output'))).toMatch(/new-output$/);
    expect(await g.check(path.join(tmp, 'single.png'))).toMatch(/single\.png$/);
    for (const p of [path.join(tmp, 'other.png'), path.join(photos, '..', 'other.png'), path.join(photos, 'up', 'other.png'), tmp, '/etc/passwd']) {
      await expect(g.check(p), p).rejects.toMatchObject({ code: 'forbidden' });
    }
    await expect(g.check('relative/a.jpg')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(g.check(`${photos}/a\0.jpg`)).rejects.toMatchObject({ code: 'usage' });
    await expect(g.check(42)).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('settings', () => {
  it('falls back field by field on a damaged file', () => {
    const s = parseSettings({ window: { width: 'wide', height: 800 }, recentFiles: ['/a.jpg', 'rel.jpg', 7, '/a.jpg', '/b.png'], lastDirs: { open: '/pics', save: 12 }, grantedFolders: {} });
    expect(s).toEqual({ recentFiles: ['/a.jpg', '/b.png'], grantedFolders: [], lastDirs: { open: '/pics' } });
    expect(parseSettings('garbage')).toEqual({ recentFiles: [], grantedFolders: [], lastDirs: {} });
    expect(parseSettings({ window: { x: 10, y: 20, width: 1200, height: 800, maximized: true } }).window).toEqual({ x: 10, y: 20, width: 1200, height: 800, maximized: true });
  });

  it('keeps folder grants across runs only for FOLDER_GRANT_DAYS after the user last chose them', () => {
    const day = 24 * 3600 * 1000;
    const now = 1_800_000_000_000;
    let grants = pushFolderGrant([], '/photos/old', now - (FOLDER_GRANT_DAYS + 1) * day);
    grants = pushFolderGrant(grants, '/photos/recent', now - 2 * day);
    const saved = parseSettings(JSON.parse(JSON.stringify({ grantedFolders: [...grants, '/photos/untimed', { path: '/photos/future', at: now + day }] })));
    expect(liveFolderGrants(saved.grantedFolders, now)).toEqual(['/photos/recent']);
    // Choosing the old folder again in the dialog confirms it anew.
    expect(liveFolderGrants(pushFolderGrant(saved.grantedFolders, '/photos/old', now), now)).toEqual(['/photos/old', '/photos/recent']);
  });

  it('keeps ten recent files, newest first', () => {
    let list: string[] = [];
    for (let i = 0; i < 12; i++) list = pushRecent(list, `/p/${i}.jpg`);
    list = pushRecent(list, '/p/5.jpg');
    expect(list).toHaveLength(10);
    expect(list.slice(0, 3)).toEqual(['/p/5.jpg', '/p/11.jpg', '/p/10.jpg']);
  });

  it('reopens the window where it was, if that place is still on a screen', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }, { x: 1920, y: 0, width: 1280, height: 1024 }];
    expect(restoreWindowBounds({ x: 2000, y: 50, width: 1000, height: 700, maximized: false }, screens)).toEqual({ bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: false });
    // Its monitor was unplugged: default placement, size kept within the first screen.
    expect(restoreWindowBounds({ x: 5000, y: 50, width: 2500, height: 1400, maximized: true }, screens)).toEqual({ bounds: { width: 1920, height: 1080 }, maximized: true });
    // Partly off the edge: moved back on.
    expect(restoreWindowBounds({ x: 1700, y: 900, width: 1000, height: 700, maximized: false }, screens).bounds).toEqual({ x: 920, y: 380, width: 1000, height: 700 });
    expect(restoreWindowBounds(undefined, screens)).toEqual({ bounds: { width: 1400, height: 900 }, maximized: false });
  });

  it('writes settings.json atomically and reads it back', async () => {
    const file = path.join(tmp, 'user-data', 'settings.json');
    const a = new SettingsStore(file);
    a.update((s) => void (s.recentFiles = ['/x/y.jpg']));
    await a.flush();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ recentFiles: ['/x/y.jpg'] });
    expect(new SettingsStore(file).value.recentFiles).toEqual(['/x/y.jpg']);
    await writeFile(file, '{ broken');
    expect(new SettingsStore(file).value.recentFiles).toEqual([]);
  });
});

describe('taskbar progress and notices', () => {
  const batchResult: BatchResult = { type: 'batch', status: 'completed', outDir: 'workspace:x', total: 10, done: 9, skipped: 0, failed: 1, failures: [], outputs: [], seconds: 40 };

  it('shows batches and training runs, not single-image jobs', () => {
    let t = 0;
    const p = new TaskbarProgress(() => t);
    expect(p.value()).toBe(-1);
    p.start('d', { type: 'denoise', image: 'abcdefgh1234', sigma: 'auto' });
    expect(p.value()).toBe(-1);
    p.start('b', { type: 'batch', task: 'denoise' });
    expect(p.value()).toBe(2); // indeterminate until the size is known
    p.event('b', { type: 'progress', stage: 'batch', done: 3, total: 10 });
    expect(p.value()).toBeCloseTo(0.3);
    p.start('t', { type: 'train', name: 'Mine', arch: 'residual', variant: 'denoising', channels: 3, patch: 64, steps: 100 });
    p.event('t', { type: 'progress', stage: 'train', done: 50, total: 100 });
    expect(p.value()).toBeCloseTo(0.4);
    t = (NOTIFY_AFTER_SECONDS + 10) * 1000;
    const notice = p.end('b', { ok: true, result: batchResult });
    expect(notice).toEqual({ title: 'Batch finished', body: '9 of 10 images written, 1 failed in 40 s.' });
    expect(p.end('t', { ok: false, error: { code: 'cancelled', message: 'Cancelled' } })).toEqual({ title: 'Training “Mine” cancelled', body: 'After 40 s.' });
    expect(p.value()).toBe(-1);
  });

  it('does not notify about short jobs', () => {
    let t = 0;
    const p = new TaskbarProgress(() => t);
    p.start('b', { type: 'batch', task: 'denoise' });
    t = 5000;
    expect(p.end('b', { ok: true, result: batchResult })).toBeUndefined();
  });
});

describe('menus', () => {
  const flat = (items: MenuItemSpec[]): MenuItemSpec[] => items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);

  it('have the usual items and shortcuts', () => {
    const items = flat(menuTemplate({ platform: 'linux', recent: ['/p/a.jpg'], dev: false }));
    const byLabel = (l: string) => items.find((i) => i.label === l);
    expect(byLabel('Open…')).toMatchObject({ accelerator: 'CmdOrCtrl+O', action: { kind: 'open' } });
    expect(byLabel('Export…')).toMatchObject({ accelerator: 'CmdOrCtrl+S', registerAccelerator: false, action: { kind: 'command', command: 'export' } });
    expect(byLabel('Undo')).toMatchObject({ accelerator: 'CmdOrCtrl+Z', registerAccelerator: false });
    expect(items.some((i) => i.action?.kind === 'open-recent' && i.action.path === '/p/a.jpg')).toBe(true);
    for (const role of ['cut', 'copy', 'paste', 'selectAll', 'quit', 'togglefullscreen']) expect(items.some((i) => i.role === role), role).toBe(true);
    expect(items.some((i) => i.role === 'toggleDevTools' || i.role === 'reload')).toBe(false);
    expect(flat(menuTemplate({ platform: 'linux', recent: [], dev: true })).some((i) => i.role === 'toggleDevTools')).toBe(true);
    expect(flat(menuTemplate({ platform: 'linux', recent: [], dev: false })).find((i) => i.label === 'No Recent Files')).toMatchObject({ enabled: false });
  });

  it('follow macOS conventions there', () => {
    const top = menuTemplate({ platform: 'darwin', recent: [], dev: false });
    expect(top[0]).toEqual({ role: 'appMenu' });
    expect(top.some((i) => i.role === 'windowMenu')).toBe(true);
  });
});

describe('export names', () => {
  it('carry the chosen format’s extension', () => {
    expect(exportDefaultName('photo.mend.jpg', 'png')).toBe('photo.mend.png');
    expect(exportDefaultName('photo.mend', 'jpeg')).toBe('photo.mend.jpg');
    expect(exportDefaultName('../../etc/passwd', 'tiff')).toBe('passwd.tif');
    expect(exportDefaultName('', 'webp')).toBe('image.mend.webp');
  });
});
