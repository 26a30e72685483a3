// Lint rules: typescript-eslint's recommended set, plus the boundary that engine/ stays host-free.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.vite/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'hls-templates/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'electron', 'better-sqlite3', 'react', 'react-dom'], message: 'engine/ is host-free: the hosts do I/O (ARCHITECTURE.md).' },
          { group: ['**/electron/**', '**/renderer/**'], message: 'engine/ must not import hosts.' },
        ],
      }],
    },
  },
);
