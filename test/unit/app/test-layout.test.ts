// The unit project runs without a build (vitest.config.ts gives it no global setup), so a unit
// test that reads dist/ or spawns the compiled CLI would test stale code, or fail on a fresh
// clone. Those belong in test/integration, whose global setup builds dist/ first.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

const UNIT = path.join(REPO_ROOT, 'test', 'unit');
const files = (readdirSync(UNIT, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
// An import from dist/, the CLI runner of test/helpers/cli.ts, or a file read under dist/.
const BUILD_USES = [
  /from\s+['"][^'"]*\/dist\//,
  /import\(\s*['"][^'"]*\/dist\//,
  /\b(runMend|MEND_BIN)\b/,
  /REPO_ROOT,\s*['"]dist['"]/,
];

describe('unit test layout', () => {
  it('finds the unit tests', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('no unit test imports from dist/ or runs the compiled CLI', () => {
    const offenders = files.filter((f) => f !== path.join('app', 'test-layout.test.ts')).filter((f) => {
      const code = readFileSync(path.join(UNIT, f), 'utf8');
      return BUILD_USES.some((re) => re.test(code));
    });
    expect(offenders).toEqual([]);
  });

  it('catches the ways a test uses the build', () => {
    const uses = [
      "import { main } from '../../../dist/src-main/cli/main.js';",
      "const m = await import('../../../dist/src-main/core/image/io.js');",
      "const r = await runMend(['denoise', 'a.png']);",
      "readFileSync(path.join(REPO_ROOT, 'dist', 'preload', 'preload.cjs'), 'utf8')",
    ];
    for (const u of uses) expect(BUILD_USES.some((re) => re.test(u)), u).toBe(true);
    expect(BUILD_USES.some((re) => re.test("const files = ['dist/preload/preload.cjs'];"))).toBe(false);
  });
});
