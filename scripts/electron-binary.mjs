// Where the Electron binary is, if anywhere. Shared by `npm start` / `npm run dist`
// (scripts/desktop.mjs) and the desktop end-to-end test (test/e2e/electron.test.ts), so both
// look in the same places: ELECTRON_OVERRIDE_DIST_PATH (a folder holding an unpacked Electron,
// as the electron package itself honours it), else node_modules/electron/dist, where the
// electron package's install script unpacks the binary it downloads.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ELECTRON_PACKAGE = path.join(REPO_ROOT, 'node_modules', 'electron');

/** The executable's path inside an Electron dist folder, per platform (what path.txt holds). */
export function executableIn(distDir, platform = process.platform) {
  let rel;
  try {
    rel = readFileSync(path.join(ELECTRON_PACKAGE, 'path.txt'), 'utf8').trim();
  } catch {
    rel = platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : platform === 'win32' ? 'electron.exe' : 'electron';
  }
  return path.join(distDir, rel);
}

/**
 * { path } of a usable Electron executable, or { missing } saying where it looked and why it
 * is not there.
 */
export function findElectron(env = process.env) {
  if (!existsSync(path.join(ELECTRON_PACKAGE, 'package.json'))) {
    return { missing: 'the electron package is not installed (run npm install)' };
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = executableIn(env.ELECTRON_OVERRIDE_DIST_PATH);
    return existsSync(exe) ? { path: exe } : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set but ${exe} does not exist` };
  }
  const exe = executableIn(path.join(ELECTRON_PACKAGE, 'dist'));
  if (existsSync(exe)) return { path: exe };
  return { missing: 'no Electron binary in node_modules/electron/dist (its download is not run by npm install here: `npm start` fetches it) and ELECTRON_OVERRIDE_DIST_PATH is not set' };
}

/** The Electron version the project pins (node_modules/electron/package.json). */
export function electronVersion() {
  try {
    return JSON.parse(readFileSync(path.join(ELECTRON_PACKAGE, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
