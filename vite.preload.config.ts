// Bundles the Electron preload (src-main/preload/preload.ts) into dist/preload/preload.cjs.
// A sandboxed preload cannot load files at run time (no ESM, and require() knows only a few
// built-ins), so it must be one CommonJS file; `electron` is the one module it requires.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'chrome130',
    minify: false,
    sourcemap: true,
    lib: {
      entry: 'src-main/preload/preload.ts',
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: {
      external: ['electron'],
    },
  },
});
