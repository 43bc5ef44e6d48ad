// Vitest global setup: compiles the app once (`npx tsc -p .` -> dist/) so tests that spawn the
// real CLI (bin/mend.js runs dist/src-main/cli/main.js) run the current sources.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    execFileSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`tsc -p . failed, cannot build dist/ for the CLI tests:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}
