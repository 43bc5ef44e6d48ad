// Static import rules, read from the sources:
//  - src-main/core and src-main/shared never import electron (the core is plain Node, shared is
//    imported by the renderer; it imports only itself and valibot, for the request schemas);
//    neither do the engine, the server or the CLI;
//  - the renderer never imports Node built-ins (node:*, fs, path, ...) or main-process code;
//  - the Electron main process never reaches TensorFlow.js, sharp or ONNX Runtime, even through
//    other modules: they run in the engine process only;
//  - the preload imports electron and the IPC contract only (it is bundled into one file);
//  - layers: shared <- core <- engine (the engine process) and host (the engine's host side:
//    client, protocol, layout) <- app, server, cli. app/ and server/ reach the engine only
//    through host/; host/ never imports the engine process or core/;
//  - inside core, each folder imports only folders of a lower rank (CORE_RANKS): no cycles,
//    and a new folder needs a place in the list. docs/architecture.md draws the same picture.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

/** Module specifiers of every import / export-from / dynamic import / require in a file. */
function specifiers(file: string): { spec: string; typeOnly: boolean }[] {
  let text = readFileSync(file, 'utf8');
  if (file.endsWith('.svelte')) text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  // Comments would give false hits ("import" in prose).
  text = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/\b(import|export)\s+(type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push({ spec: m[3]!, typeOnly: !!m[2] });
  for (const m of text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) out.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

const rel = (f: string): string => path.relative(REPO_ROOT, f);
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('static import rules', () => {
  it('the core, shared types, engine, server and CLI never import electron', () => {
    const offenders: string[] = [];
    for (const dir of ['core', 'shared', 'engine', 'server', 'cli']) {
      for (const f of filesUnder(path.join(REPO_ROOT, 'src-main', dir), ['.ts'])) {
        for (const { spec } of specifiers(f)) if (spec === 'electron' || spec.startsWith('electron/') || spec.startsWith('@electron/')) offenders.push(`${rel(f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('shared/ holds types, constants and the request schemas: no imports beyond itself and valibot', () => {
    const shared = path.join(REPO_ROOT, 'src-main', 'shared');
    const offenders: string[] = [];
    for (const f of filesUnder(shared, ['.ts'])) {
      for (const { spec } of specifiers(f)) {
        // valibot: the schema library (shared/schema/), plain JavaScript with no Node or DOM.
        if (spec === 'valibot') continue;
        if (!spec.startsWith('.') || !path.resolve(path.dirname(f), spec).startsWith(`${shared}${path.sep}`)) offenders.push(`${rel(f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the renderer never imports Node built-ins or main-process code', () => {
    const files = filesUnder(path.join(REPO_ROOT, 'src-renderer'), ['.ts', '.svelte']);
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const f of files) {
      for (const { spec } of specifiers(f)) {
        if (NODE_BUILTINS.has(spec) || spec.startsWith('node:')) offenders.push(`${rel(f)}: ${spec}`);
        if (spec === 'electron' || spec === 'sharp' || spec.startsWith('@tensorflow/') || spec === 'onnxruntime-node') offenders.push(`${rel(f)}: ${spec}`);
        if (spec.includes('src-main/') && !spec.includes('src-main/shared/')) offenders.push(`${rel(f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the Electron main process never reaches TensorFlow.js, sharp or ONNX Runtime', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { spec, typeOnly } of specifiers(file)) {
        if (typeOnly) continue;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    };
    const appDir = path.join(REPO_ROOT, 'src-main', 'app');
    for (const f of filesUnder(appDir, ['.ts'])) visit(f);
    const forbidden = [...packages].filter((p) => p === 'sharp' || p.startsWith('@tensorflow') || p.startsWith('@img') || p.startsWith('onnxruntime'));
    expect(forbidden).toEqual([]);
    // What main does load: electron, Node built-ins and the request schemas' valibot, and nothing from core/.
    expect([...packages].filter((p) => p !== 'electron' && p !== 'valibot' && !NODE_BUILTINS.has(p))).toEqual([]);
    expect([...seen].filter((f) => f.includes(`${path.sep}core${path.sep}`)).map(rel)).toEqual([]);
  });

  it('the preload imports only electron and the IPC contract at run time', () => {
    const f = path.join(REPO_ROOT, 'src-main', 'preload', 'preload.ts');
    const runtime = specifiers(f).filter((s) => !s.typeOnly).map((s) => s.spec);
    expect(runtime.sort()).toEqual(['../app/ipc-contract.js', 'electron']);
    const contract = specifiers(path.join(REPO_ROOT, 'src-main', 'app', 'ipc-contract.ts'));
    expect(contract.every((s) => s.typeOnly)).toBe(true);
  });

  it('src-main layers: each folder imports only the folders below it', () => {
    // The reader sees the imports (a regex that matched nothing would pass any rule).
    expect(sourceImports().length).toBeGreaterThan(500);
    const violations = layerViolations();
    expect(violations).toEqual([]);
  });

  it('core folders import only core folders of a lower rank, and every core folder has a rank', () => {
    const folders = readdirSync(path.join(REPO_ROOT, 'src-main', 'core')).filter((n) => statSync(path.join(REPO_ROOT, 'src-main', 'core', n)).isDirectory());
    expect(folders.filter((f) => !(f in CORE_RANKS)).sort()).toEqual([]);
    expect(coreViolations()).toEqual([]);
  });
});

/**
 * Ranks of the core folders, lowest first: a folder imports only folders of a lower rank.
 * image, jobs and runtime stand on shared/ alone; math (rng, eigen, resampling) on image's
 * Raster; models build on runtime's kernels; infer runs models; train, raw, eval, lab use
 * inference; batch runs files through infer and raw; bench measures all of it.
 */
const CORE_RANKS: Record<string, number> = {
  image: 0, jobs: 0, runtime: 0,
  math: 1,
  corrupt: 2, metrics: 2,
  models: 3,
  infer: 4,
  train: 5,
  raw: 6,
  eval: 7, lab: 7,
  batch: 8,
  bench: 9,
};

/** What each top folder of src-main may import besides itself (core: see CORE_RANKS). */
const LAYERS: Record<string, string[]> = {
  shared: [],
  core: ['shared'],
  host: ['shared'],
  engine: ['core', 'host', 'shared'],
  server: ['host', 'shared'],
  app: ['host', 'shared'],
  preload: ['app', 'shared'],
  cli: ['core', 'server', 'shared'],
};

/** Relative imports of every .ts file under src-main, resolved to repo-relative source paths. */
function sourceImports(): { from: string; to: string; typeOnly: boolean }[] {
  const out: { from: string; to: string; typeOnly: boolean }[] = [];
  for (const f of filesUnder(path.join(REPO_ROOT, 'src-main'), ['.ts'])) {
    for (const { spec, typeOnly } of specifiers(f)) {
      if (!spec.startsWith('.')) continue;
      out.push({ from: rel(f), to: rel(path.resolve(path.dirname(f), spec)), typeOnly });
    }
  }
  return out;
}

function layerViolations(): string[] {
  const top = (p: string): string => p.split(path.sep)[1]!;
  const bad: string[] = [];
  for (const { from, to } of sourceImports()) {
    const a = top(from);
    const b = top(to);
    if (a === b) continue;
    const allowed = LAYERS[a];
    if (!allowed || !allowed.includes(b)) bad.push(`${from} -> ${to}`);
  }
  return bad;
}

function coreViolations(): string[] {
  const coreFolder = (p: string): string | undefined => {
    const parts = p.split(path.sep);
    return parts[1] === 'core' ? parts[2] : undefined;
  };
  const bad: string[] = [];
  for (const { from, to } of sourceImports()) {
    const a = coreFolder(from);
    const b = coreFolder(to);
    if (a === undefined || b === undefined || a === b) continue;
    if (!((CORE_RANKS[b] ?? Infinity) < (CORE_RANKS[a] ?? -Infinity))) bad.push(`${from} -> ${to} (${a} ${CORE_RANKS[a]} may not import ${b} ${CORE_RANKS[b]})`);
  }
  return bad;
}
