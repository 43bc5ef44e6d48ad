// Vitest global setup of the integration and e2e projects (vitest.config.ts): builds the app once
// (tsc -> dist/, vite -> dist/renderer and dist/preload/preload.cjs) so tests that spawn the real
// CLI (bin/mend.js runs dist/src-main/cli/main.js), load the interface in a browser or the desktop
// app, or check the preload bundle run the current sources. The unit project has no global setup:
// unit tests import the sources and never need dist/.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Both projects name this file and vitest runs each project's global setup in the same process:
// the flag makes `npm test` build once, not twice.
const BUILT = Symbol.for('mend.test.distBuilt');

export default function setup(): void {
  const flags = globalThis as { [BUILT]?: boolean };
  if (flags[BUILT]) return;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    execFileSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`tsc -p . failed, cannot build dist/ for the CLI tests:\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: e });
  }
  try {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`vite build failed, cannot build the interface for the browser tests:\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: e });
  }
  try {
    execFileSync('npx', ['vite', 'build', '--config', 'vite.preload.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`vite build of the preload failed (dist/preload/preload.cjs):\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: e });
  }
  flags[BUILT] = true;
}
