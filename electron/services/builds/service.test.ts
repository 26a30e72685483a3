import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from '../../api/services';
import type { AppEvent } from '../../../api/contract';
import { resolveAppDirs } from '../store';
import { createTinyProject } from './testing';
import type { RunReport } from './queue';

let dir: string;
let services: AppServices;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-builds-api-'));
  fs.mkdirSync(path.join(dir, 'projects'));
  services = new AppServices({
    mode: 'serve',
    dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }),
    examplesDir: path.join(dir, 'examples'),
    version: '0.0.0',
    buildConcurrency: 2,
  });
});
afterEach(() => {
  services.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('variants and builds through the API', () => {
  it('create / duplicate / rename / delete / sweep; build with events; history survives close and reopen', async () => {
    createTinyProject(path.join(dir, 'projects'), 'p').close();
    const file = path.join(dir, 'projects', 'p.tessera');
    const { projectId } = await services.invoke('project.open', { path: file });
    const events: AppEvent[] = [];
    services.onEvent((e) => events.push(e));

    const a = await services.invoke('variants.create', { projectId, config: { io: 'io_stream', scope: 'upconv', defaults: {}, layers: { upconv: { reuseFactor: 4 } } } });
    expect(a.variant.name).toBe('upconv stream RF4');
    expect(a.diagnostics).toEqual([]);
    const bad = await services.invoke('variants.create', { projectId, name: 'odd RF', config: { io: 'io_parallel', scope: 'upconv', defaults: {}, layers: { upconv: { reuseFactor: 5 } } } });
    expect(bad.diagnostics.join(' ')).toMatch(/reuseFactor = 5.*use 4 or 6/);
    const copy = await services.invoke('variants.duplicate', { projectId, variantId: a.variant.id });
    expect(copy.name).toBe('upconv stream RF4 copy');
    expect(copy.config).toEqual(a.variant.config);
    const renamed = await services.invoke('variants.update', { projectId, variantId: copy.id, name: 'upconv stream RF4' });
    expect(renamed.name).toBe('upconv stream RF4 (2)'); // unique
    await services.invoke('variants.delete', { projectId, variantId: copy.id });
    const sw = await services.invoke('variants.sweep', { projectId, layer: 'upconv', reuseFactors: [2, 7], io: ['io_parallel'] });
    expect(sw.items.map((v) => v.name)).toEqual(['upconv parallel RF2']);
    expect(sw.rejected.map((r) => r.name)).toEqual(['upconv parallel RF7']);
    expect(sw.rejected[0].reasons[0]).toMatch(/reuse factor divides/);
    const choices = await services.invoke('variants.choices', { projectId, layer: 'upconv', io: 'io_stream' });
    expect(choices.reuseFactors).toEqual([1, 2, 3, 4, 6, 12]);
    const list = await services.invoke('variants.list', { projectId });
    expect(list.items.map((v) => v.name)).toEqual(['upconv stream RF4', 'odd RF', 'upconv parallel RF2']);

    const started = await services.invoke('builds.start', { projectId, variantIds: list.items.map((v) => v.id), csim: false });
    expect(started.runs).toHaveLength(3);
    for (let i = 0; i < 200; i++) {
      const l = await services.invoke('builds.list', { projectId });
      if (l.active === 0 && l.queued === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const runs = (await services.invoke('builds.list', { projectId })).items;
    const st = Object.fromEntries(runs.map((r) => [r.variantId, r.status]));
    expect(st[a.variant.id]).toBe('succeeded');
    expect(st[sw.items[0].id]).toBe('succeeded');
    expect(st[bad.variant.id]).toBe('failed');
    expect(runs.find((r) => r.variantId === bad.variant.id)!.log).toMatch(/reuseFactor = 5/);
    const statusEvents = events.filter((e) => e.type === 'build.status');
    expect(statusEvents.every((e) => e.type === 'build.status' && e.projectId === projectId)).toBe(true);
    expect(statusEvents.some((e) => e.type === 'build.status' && e.status === 'succeeded' && e.variantId === a.variant.id)).toBe(true);
    const ok = runs.find((r) => r.variantId === a.variant.id)!.report as RunReport;
    expect(ok.estimate!.interval.min).toBeGreaterThan(0);

    await services.invoke('project.close', { projectId });
    const again = await services.invoke('project.open', { path: file });
    const after = (await services.invoke('builds.list', { projectId: again.projectId })).items;
    expect(after.map((r) => [r.id, r.status])).toEqual(runs.map((r) => [r.id, r.status]));
    expect((await services.invoke('variants.list', { projectId: again.projectId })).items).toHaveLength(3);
  });

  it('requests outside the contract are rejected with the field named', async () => {
    const r = await services.call('variants.create', { projectId: 'p_x', config: { io: 'io_sideways', scope: null, defaults: {}, layers: {} } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad-request');
      expect(r.error.message).toMatch(/config\.io/);
    }
    const s = await services.call('builds.start', { projectId: 'p_x', variantIds: ['v'], shell: 'rm -rf /' });
    expect(s.ok).toBe(false);
  });
});
