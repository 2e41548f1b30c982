import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['build/', 'release/', 'node_modules/', 'coverage/', 'bench-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: [
      'cluster/**/*.{ts,js}',
      'db/**/*.{ts,js}',
      'electron/**/*.{ts,js}',
      'test/**/*.{ts,js}',
      '*.{ts,js}',
      'renderer/vite.config.ts',
      'renderer/*.mjs',
      'scripts/*.mjs',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  prettier,
);
