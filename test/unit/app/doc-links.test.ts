// The documentation's links and the source paths it names point at files that exist: moves and
// splits (issue 23) leave a stale `engine/client.ts` or a link to a renamed doc otherwise.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Relative link targets of a Markdown text, without their #anchor (web and mail links left out). */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^([a-z]+:|#)/i.test(l)).map((l) => decodeURI(l.split('#')[0]!));
}

/** Repository paths written in backticks: `src-main/...`, `test/...`, `scripts/...`, `docs/...`. */
function namedPaths(text: string): string[] {
  return [...text.matchAll(/`((?:src-main|src-renderer|test|scripts|docs)\/[\w./-]+)`/g)].map((m) => m[1]!.replace(/[.]$/, ''));
}

/**
 * Source files named by a shorter path (`host/client.ts`, `infer/prefill.ts`, `state/format.ts`,
 * `app/imports.test.ts`), anywhere in backticks.
 */
function shortPaths(text: string): string[] {
  return [...text.matchAll(/`[^`\n]*?\b((?:[\w-]+\/)+[\w.-]+\.(?:ts|svelte))\b/g)].map((m) => m[1]!).filter((p) => !/^(src-main|src-renderer|test)\//.test(p));
}

/** Where a short path may be rooted. */
const SHORT_ROOTS = ['src-main', 'src-main/core', 'src-renderer', 'src-renderer/lib', 'src-renderer/lib/components', 'test/unit', '.'];

describe('documentation paths', () => {
  it('finds links and paths to check', () => {
    expect(relativeLinks('see [a](docs/a.md#x), [b](https://e.org) and [c](#top)')).toEqual(['docs/a.md']);
    expect(namedPaths('in `src-main/host/client.ts` and `npm test`')).toEqual(['src-main/host/client.ts']);
    expect(shortPaths('(`host/client.ts`, and `mend x` in `core/raw/raw-file.ts`) `src-main/a/b.ts`')).toEqual(['host/client.ts', 'core/raw/raw-file.ts']);
    expect(DOCS.length).toBeGreaterThan(5);
  });

  it('every relative link and named source path exists', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const doc of DOCS) {
      const text = readFileSync(path.join(REPO_ROOT, doc), 'utf8');
      for (const l of relativeLinks(text)) {
        checked++;
        if (!existsSync(path.resolve(REPO_ROOT, path.dirname(doc), l))) missing.push(`${doc}: link ${l}`);
      }
      for (const p of namedPaths(text)) {
        checked++;
        if (!existsSync(path.join(REPO_ROOT, p))) missing.push(`${doc}: path ${p}`);
      }
      for (const p of shortPaths(text)) {
        checked++;
        if (!SHORT_ROOTS.some((r) => existsSync(path.join(REPO_ROOT, r, p)))) missing.push(`${doc}: path ${p}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
