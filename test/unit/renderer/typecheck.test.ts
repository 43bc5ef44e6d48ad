// The interface's TypeScript, .svelte files included, type-checks cleanly: Vite only strips
// types, so without this a wrong prop or a misspelt field would reach the user.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

describe('interface type check', () => {
  it('svelte-check finds no errors in src-renderer', async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [
      'node_modules/svelte-check/bin/svelte-check', '--tsconfig', 'src-renderer/tsconfig.json', '--threshold', 'error', '--output', 'machine',
    ], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    const errors = result.stdout.split('\n').filter((l) => /\sERROR\s/.test(l));
    expect(errors).toEqual([]);
    expect(result.stdout).toMatch(/COMPLETED \d+ FILES 0 ERRORS/);
  });
});
