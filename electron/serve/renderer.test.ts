import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ensureRenderer } from './renderer';

let root: string;
beforeAll(() => {
  // Inside the checkout so the temporary Vite config resolves 'vite' from node_modules.
  root = fs.mkdtempSync(path.join(path.resolve(__dirname, '../..'), '.tmp-renderer-test-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('ensureRenderer', () => {
  it('says clearly when there is neither a build nor a config to build it', async () => {
    const r = await ensureRenderer(root);
    expect(r.dir).toBeNull();
    expect(r.note).toMatch(/renderer is not built .*vite\.renderer\.config\.ts does not exist/);
  });

  it('builds the renderer with the Vite JS API when the build is missing', async () => {
    fs.mkdirSync(path.join(root, 'renderer'));
    fs.writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>built by vite</title><script type="module" src="./main.js"></script>');
    fs.writeFileSync(path.join(root, 'renderer', 'main.js'), 'document.title += " " + (6 * 7);');
    fs.writeFileSync(
      path.join(root, 'vite.renderer.config.ts'),
      `import { defineConfig } from 'vite';\nexport default defineConfig({ root: ${JSON.stringify(path.join(root, 'renderer'))}, base: './', build: { outDir: ${JSON.stringify(path.join(root, 'out', 'renderer'))}, emptyOutDir: true } });\n`,
    );
    const lines: string[] = [];
    const r = await ensureRenderer(root, (l) => lines.push(l));
    expect(r.dir).toBe(path.join(root, 'out', 'renderer'));
    expect(lines.join('\n')).toMatch(/Building the renderer once/);
    const html = fs.readFileSync(path.join(r.dir!, 'index.html'), 'utf8');
    expect(html).toContain('built by vite');
    expect(fs.readdirSync(path.join(r.dir!, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
    // Second call: already built, nothing to do.
    expect(await ensureRenderer(root)).toEqual({ dir: r.dir, note: null });
  }, 60_000);
});
