// Lint rules: typescript-eslint's recommended set, plus the boundaries: engine/ stays host-free, and api/
// (the contract and codecs shared by electron/ and renderer/) is host-free too: zod and engine/ only, no
// node:*, no DOM, no electron, no host folder.
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
  {
    files: ['api/**/*.ts'],
    ignores: ['api/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'electron', 'better-sqlite3', 'react', 'react-dom', 'ws', '@xyflow/*', 'zustand'], message: 'api/ is host-free: it is shared by electron/ and renderer/.' },
          { group: ['**/electron/**', '**/renderer/**'], message: 'api/ must not import a host; hosts import api/.' },
        ],
      }],
      'no-restricted-globals': ['error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'fetch', 'WebSocket'].map((name) => ({ name, message: 'api/ is host-free: no DOM (the renderer does that).' })),
        ...['Buffer', 'process', 'require', '__dirname', 'global'].map((name) => ({ name, message: 'api/ is host-free: no Node globals (the electron services do that).' })),
      ],
    },
  },
);
