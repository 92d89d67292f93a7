// Flat ESLint config. Layer rules (who may import whom) live here so that they are
// checked, not just written down in docs/architecture.md.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'dgram', 'net', 'http', 'crypto', 'child_process'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/out/**',
      '**/node_modules/**',
      '**/build/**',
      'coverage/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.ts', '*.js', 'renderer/vite.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Codecs and contracts are pure: no sockets, no timers, no Node built-ins.
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/node/**', 'shared/src/bench/**', 'shared/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: nodeBuiltins }],
    },
  },
  {
    files: ['electron/src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['electron/*'] }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            ...nodeBuiltins,
            '@lightspeed/shared/node',
            '@lightspeed/proxy-server*',
            '@lightspeed/native*',
            '@lightspeed/electron*',
          ],
        },
      ],
    },
  },
);
