// electron-builder.yml: the installers' contents. Native modules unpacked from the asar, models
// shipped without training checkpoints, the image file associations, the four targets, the
// fuses, no rebuild of native modules; and every key is one electron-builder knows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

interface Association { ext: string | string[]; name: string; mimeType?: string; role?: string }
interface Config {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  icon: string;
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  fileAssociations: Association[];
  linux: { target: string[]; executableName: string };
  win: { target: string[] };
  mac: { target: string[] };
  electronFuses: Record<string, boolean>;
  npmRebuild: boolean;
}

const config = parse(readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; optionalDependencies: Record<string, string> };

// Glob test good enough for these patterns: '**' + '/' is any number of folders (none too),
// '**' anything, '*' anything within one name.
function matches(glob: string, file: string): boolean {
  const esc = (t: string): string => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const body = glob.split('**/').map((part) => part.split('**').map((q) => q.split('*').map(esc).join('[^/]*')).join('.*')).join('(?:.*/)?');
  return new RegExp(`^${body}$`).test(file);
}

describe('electron-builder.yml', () => {
  it('names the app and uses the committed icon', () => {
    expect(config.appId).toBe('app.mend.desktop');
    expect(config.productName).toBe('Mend');
    expect(config.directories.buildResources).toBe('build');
    const png = readFileSync(path.join(REPO_ROOT, config.icon));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('builds AppImage and deb, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.linux.executableName).not.toBe('mend'); // that is the CLI
  });

  it('packs the main entry, the preload bundle and the interface', () => {
    const included = (f: string) => config.files.some((g) => !g.startsWith('!') && matches(g, f)) && !config.files.some((g) => g.startsWith('!') && matches(g.slice(1), f));
    for (const f of [pkg.main, 'dist/src-main/engine/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/assets/index-abc.js', 'package.json']) {
      expect(included(f), f).toBe(true);
    }
    expect(included('dist/renderer/assets/index-abc.js.map')).toBe(false);
    expect(included('src-main/app/main.ts')).toBe(false);
  });

  it('unpacks every native module from the asar', () => {
    const unpacked = (f: string) => config.asarUnpack.some((g) => matches(g, f));
    for (const f of [
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.42',
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'node_modules/libraw-wasm/dist/libraw.wasm',
    ]) expect(unpacked(f), f).toBe(true);
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)].filter((d) => /sharp|tfjs-node|onnxruntime-node/.test(d))) {
      expect(unpacked(`node_modules/${dep}/package.json`), dep).toBe(true);
    }
  });

  it('does not rebuild native modules for Electron (N-API binaries load as installed)', () => {
    expect(config.npmRebuild).toBe(false);
  });

  it('ships models/ as extra resources without training checkpoints', () => {
    const models = config.extraResources.find((r) => r.from === 'models');
    expect(models?.to).toBe('models');
    const shipped = (f: string) => models!.filter.some((g) => !g.startsWith('!') && matches(g, f)) && !models!.filter.some((g) => g.startsWith('!') && matches(g.slice(1), f));
    for (const f of ['registry.json', 'color-denoise/model.json', 'color-denoise/weights.bin', 'color-denoise/card.md', 'gray-denoise/model.onnx']) expect(shipped(f), f).toBe(true);
    for (const f of ['color-denoise/checkpoint/weights.bin', 'color-denoise/checkpoint/state.json', 'gray-denoise/checkpoint.mend-123/x']) expect(shipped(f), f).toBe(false);
  });

  it('associates JPEG, PNG, TIFF, WebP, AVIF, HEIF and camera RAW (DNG, CR2, NEF, ...)', () => {
    const exts = config.fileAssociations.flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext]));
    expect(exts.sort()).toEqual(['arw', 'avif', 'cr2', 'cr3', 'dng', 'heic', 'heif', 'jpeg', 'jpg', 'nef', 'nrw', 'orf', 'pef', 'png', 'raf', 'rw2', 'srw', 'tif', 'tiff', 'webp']);
    for (const a of config.fileAssociations) {
      expect(a.name).toBeTruthy();
      expect(a.mimeType).toMatch(/^image\//);
    }
  });

  it('flips the release fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('uses only keys electron-builder knows', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(Object.keys(config).filter((k) => !(k in schema.properties))).toEqual([]);
    const fuses = Object.keys(schema.definitions.FuseOptionsV1!.properties!);
    expect(Object.keys(config.electronFuses).filter((k) => !fuses.includes(k))).toEqual([]);
    const assoc = Object.keys(schema.definitions.FileAssociation!.properties!);
    expect(config.fileAssociations.flatMap((a) => Object.keys(a)).filter((k) => !assoc.includes(k))).toEqual([]);
  });
});
