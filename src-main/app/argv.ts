/**
 * Image files named on a command line: how the app is asked to open files by the system (a
 * double-click through a file association on Windows and Linux, dropping files on the taskbar
 * icon, `mend-desktop photo.jpg`) and by a second launch, which hands its files to the running
 * window (single instance).
 *
 * Skips the executable, the app folder in development (`electron .`), Chromium and Electron
 * switches (anything starting with '-', e.g. --no-sandbox or macOS's -psn_...), and anything
 * that is not an image by its extension. file:// URLs (some Linux file managers pass them) are
 * turned into paths; relative paths are resolved against the launching shell's folder.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Camera RAW files the app opens (electron-builder.yml associates them): DNG by Mend, the others by LibRaw. */
export const RAW_EXTENSIONS = ['dng', 'cr2', 'cr3', 'nef', 'nrw', 'arw', 'raf', 'orf', 'rw2', 'pef', 'srw'] as const;

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp', 'avif', 'heic', 'heif', ...RAW_EXTENSIONS] as const;

/** Most files one launch may open at once. */
export const MAX_LAUNCH_FILES = 200;

export function isImagePath(p: string): boolean {
  const ext = path.extname(p).slice(1).toLowerCase();
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

export function filesFromArgv(argv: readonly string[], cwd: string, opts: { defaultApp: boolean }): string[] {
  const out: string[] = [];
  // argv[0] is the executable; in development argv[1] is the app folder given to electron.
  let skipApp = opts.defaultApp;
  for (const arg of argv.slice(1)) {
    if (typeof arg !== 'string' || arg.length === 0 || arg.length > 4096 || arg.includes('\0')) continue;
    if (arg.startsWith('-')) continue;
    if (skipApp) {
      skipApp = false;
      continue;
    }
    let p = arg;
    if (/^file:\/\//i.test(arg)) {
      try {
        p = fileURLToPath(arg);
      } catch {
        continue;
      }
    }
    if (!isImagePath(p)) continue;
    const abs = path.resolve(cwd, p);
    if (!out.includes(abs)) out.push(abs);
    if (out.length >= MAX_LAUNCH_FILES) break;
  }
  return out;
}

/**
 * The data a second launch hands to the first (app.requestSingleInstanceLock's additionalData):
 * checked again on arrival, since any process of the user can send it.
 */
export function filesFromSecondInstance(additionalData: unknown): string[] {
  const files = (additionalData as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return [];
  return files
    .filter((f): f is string => typeof f === 'string' && f.length > 0 && f.length <= 4096 && !f.includes('\0') && path.isAbsolute(f) && isImagePath(f))
    .slice(0, MAX_LAUNCH_FILES);
}
