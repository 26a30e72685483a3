// `tessera info PROJECT.tessera`: a project's layers and its variants with their last build; the run
// summary line is shared with `tessera sweep`.
import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { CliError } from './types';
import { StoreError, inspectProject, weightsToEngine } from '../../services/store';
import { listBuildRuns, listVariants } from '../../services/store/runs';
import { readProjectDocument } from '../../services/store/project';
import type { RunReport } from '../../services/builds/queue';
import { describeChoices, type VariantConfig } from '../../services/builds/variants';
import { graphLayerPrecisions } from '../../../engine/hls/project-precision';
import { graphTableLines } from './graph-table';

function num(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined ? '-' : digits ? v.toFixed(digits) : String(v);
}

/** One summary line of a run report: latency, II, resources, csim, error. */
export function reportLine(r: RunReport | null): string {
  if (!r) return '';
  const f = r.hls ?? r.estimate;
  const tag = r.source === 'measured' ? 'measured' : 'estimate';
  const fig = f
    ? `latency ${num(f.latency.worst.cycles)} cycles (${num(f.latency.worst.ns, 1)} ns), II ${num(f.interval.min)}, DSP ${num(f.resources.DSP.used)} LUT ${num(f.resources.LUT.used)} FF ${num(f.resources.FF.used)} BRAM ${num(f.resources.BRAM_18K.used)} [${tag}]`
    : 'no figures';
  const err = r.error ? `, error max ${r.error.maxLsb.toFixed(2)} LSB rms ${r.error.rmsLsb.toFixed(3)} LSB` : '';
  return `${fig}; csim ${r.csim.status}${err}; ${(r.buildMs / 1000).toFixed(1)} s`;
}

/**
 * The project opened read-only without leaving side files: a read-only connection to a WAL database creates
 * <file>-shm / <file>-wal that it cannot remove on close. With nothing pending in a WAL, read an in-memory
 * image (header switched from WAL to rollback mode, as the store's own inspection does).
 */
function openReadOnly(file: string): Database.Database {
  const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (walBytes > 0) return new Database(file, { readonly: true, fileMustExist: true });
  const image = fs.readFileSync(file);
  if (image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
  return new Database(image, { readonly: true });
}

/** `tessera info PROJECT.tessera`: the layers as for a model (shapes, parameters, precisions), then the variants with their last run. */
export function projectInfoLines(file: string): string[] {
  let doc;
  try {
    inspectProject(file, { integrity: false });
    doc = readProjectDocument(file);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
  const lines = [`${file}: ${doc.graph.nodes.length} layers`];
  // As for a model: shapes inferred, parameters, the precisions the project sets per layer.
  lines.push(...graphTableLines(doc.graph, weightsToEngine(doc.weights), graphLayerPrecisions(doc.graph) as Record<string, Record<string, string>>));
  const db = openReadOnly(path.resolve(file));
  try {
    const variants = listVariants(db);
    const runs = listBuildRuns(db);
    lines.push(`variants: ${variants.length}`);
    for (const v of variants) {
      const mine = runs.filter((r) => r.variantId === v.id);
      const last = mine[mine.length - 1];
      const choice = describeChoices(v.config as VariantConfig);
      lines.push(`  ${v.name}  [${choice}]  ${mine.length} run${mine.length === 1 ? '' : 's'}${last ? `, last ${last.status}${last.report ? `: ${reportLine(last.report as RunReport)}` : ''}` : ''}`);
    }
  } finally {
    db.close();
  }
  return lines;
}
