// Vite config of the preload script (sandboxed: one CJS file, only 'electron' may be required).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    sourcemap: true,
    rollupOptions: {
      external: ['electron'],
      output: { inlineDynamicImports: true },
    },
  },
});
