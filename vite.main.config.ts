// Vite config of the Electron main process (Electron Forge's Vite plugin adds the entry, CJS output
// into .vite/build/ and Node built-ins as externals). Native and Node-only packages stay external:
// better-sqlite3 is copied next to the bundle and rebuilt for Electron by forge.config.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    sourcemap: true,
    rollupOptions: {
      external: ['electron', 'better-sqlite3', 'bindings', 'ws', 'vite', 'onnxruntime-node'],
    },
  },
});
