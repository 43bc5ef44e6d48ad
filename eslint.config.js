// ESLint for the whole repository (`npm run lint`, run by CI before the tests): the recommended
// rules of ESLint, typescript-eslint and eslint-plugin-svelte, without type information (a
// type-aware run costs minutes here; tsc and svelte-check already check types) and without style
// rules (layout is left to the author). Dead files, exports and dependencies are knip's job.
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default defineConfig(
  // Build outputs and scratch folders (the ones .gitignore names; ESLint does not read it).
  globalIgnores(['dist/', 'release/', 'test-results/', 'runs/', 'scratch/', 'tmp/', '**/.mend-tmp*/']),
  js.configs.recommended,
  ts.configs.recommended,
  {
    languageOptions: {
      parserOptions: { extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // `_name` marks a parameter or binding kept for its position or to drop a field.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // A `let` that a callback reads before its one assignment (job-hub.ts) cannot be a const.
    // (Not for .svelte files: there this option makes it ask for `const { ... } = $props()`.)
    files: ['**/*.{js,mjs,ts}'],
    ignores: ['**/*.svelte.ts'],
    rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] },
  },
  svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
    rules: {
      // Its findings here were all local Sets/Maps (name lookups, caches kept out of reactivity on
      // purpose); state that should react is declared with $state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  // Where each part runs: the interface in a browser (or the Electron window), the rest in Node.
  // The browser tests hand functions to the page, so test/ knows both.
  { files: ['src-renderer/**'], languageOptions: { globals: globals.browser } },
  { files: ['src-main/**', 'bin/**', 'scripts/**', '*.{js,ts}'], languageOptions: { globals: globals.node } },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // Tests read the CLI's and the server's JSON output field by field; the types they check
    // are the sources', which keep the rule.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
