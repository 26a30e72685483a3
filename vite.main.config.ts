// Vite config of the Electron main process (Electron Forge's Vite plugin adds the entry, CJS output
// into .vite/build/ and Node built-ins as externals). Native and Node-only packages stay external:
// better-sqlite3 is copied next to the bundle and rebuilt for Electron by forge.config.ts.
// platform 'node': the bundler then turns import.meta.url into the bundle's file URL (for the
// 'browser' platform Vite picks for library builds it becomes undefined, and main crashes at start).
// The bundles are CommonJS but the project's package.json (which the app runs with) says
// "type": "module": a package.json beside them says "commonjs", or Electron loads main.js as an
// ES module and stops at its first `exports`.
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    {
      name: 'tessera:commonjs-bundles',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'package.json', source: `${JSON.stringify({ type: 'commonjs' })}\n` });
      },
    },
  ],
  build: {
    sourcemap: true,
    rollupOptions: {
      platform: 'node',
      external: ['electron', 'better-sqlite3', 'bindings', 'ws', 'vite', 'onnxruntime-node'],
    },
  },
});
