#!/usr/bin/env node
// `npm start` and `npm run dist`: the desktop app.
//
//   npm start [-- --no-build] [-- FILES...]   builds (tsc, the interface, the preload), makes sure the
//                                             Electron binary is there, then opens the app
//   npm run dist                              builds, then packages installers for this platform
//                                             with electron-builder (into release/)
//
// Why a script: npm does not run the electron package's install script (package.json
// allowScripts: "electron": false). That script downloads a ~100 MB binary from GitHub, which
// fails on machines without GitHub access (CI here) and would fail `npm ci` with it. So the
// download happens here, on first start, with a message saying what it does.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ELECTRON_PACKAGE, REPO_ROOT, electronVersion, findElectron } from './electron-binary.mjs';

const [command = 'start', ...rest] = process.argv.slice(2);
const noBuild = rest.includes('--no-build');
const passArgs = rest.filter((a) => a !== '--no-build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  console.error(`\nmend: ${message}`);
  process.exit(1);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) fail(`${what} failed (exit code ${r.status ?? r.signal}).`);
}

/** Electron's own download tooling (@electron/get) needs Node.js 22.12 or newer. */
function checkNode(what) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    fail(`${what} needs Node.js 22.12 or newer (Electron ${electronVersion() ?? ''}'s download and packaging tools require it); this is Node.js ${process.versions.node}. The mend CLI and \`mend serve\` work on Node.js 20.`);
  }
}

function ensureElectron() {
  let found = findElectron();
  if (found.path) return found.path;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) fail(found.missing);
  checkNode('Getting the Electron binary');
  console.log(`mend: first start — downloading Electron ${electronVersion() ?? ''} for ${process.platform}-${process.arch} (about 100 MB, from GitHub; cached for next time)…`);
  const r = spawnSync(process.execPath, [path.join(ELECTRON_PACKAGE, 'install.js')], { cwd: ELECTRON_PACKAGE, stdio: 'inherit' });
  found = findElectron();
  if (r.status !== 0 || !found.path) {
    fail('could not download the Electron binary. It needs internet access to github.com (or set ELECTRON_MIRROR to a mirror, or ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron of the same version). Then run `npm start` again.');
  }
  return found.path;
}

if (command === 'start') {
  if (!noBuild) run(npm, ['run', 'build', '--silent'], 'The build');
  const electron = ensureElectron();
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, ['.', ...passArgs], { cwd: REPO_ROOT, stdio: 'inherit', env });
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (command === 'dist') {
  checkNode('Packaging the desktop app');
  if (!noBuild) run(npm, ['run', 'build', '--silent'], 'The build');
  // electron-builder downloads the Electron zip for the target itself; it does not need node_modules/electron/dist.
  run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--publish', 'never', ...passArgs], 'electron-builder');
  console.log(`\nmend: installers are in ${path.join(REPO_ROOT, 'release')}`);
} else {
  fail(`unknown command "${command}" (use start or dist)`);
}
