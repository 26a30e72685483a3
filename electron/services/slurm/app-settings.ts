// This user's Slurm settings on this machine: <user data folder>/slurm.json (api/slurm-settings.ts
// SlurmAppSettings). Read by the app and the CLI; never part of a project file.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { checkAppSettings, SlurmAppSettings } from '../../../api/slurm-settings';

export function slurmSettingsFile(userDataDir: string): string {
  return path.join(userDataDir, 'slurm.json');
}

/** The settings (defaults when the file does not exist); a damaged file is an error naming it, never ignored. */
export function readSlurmAppSettings(userDataDir: string): SlurmAppSettings {
  const file = slurmSettingsFile(userDataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return SlurmAppSettings.parse({});
    throw new Error(`cannot read the Slurm settings ${file}: ${(e as Error).message}`);
  }
  let parsed: SlurmAppSettings;
  try {
    parsed = SlurmAppSettings.parse(JSON.parse(text));
  } catch (e) {
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ') : (e as Error).message;
    throw new Error(`the Slurm settings ${file} are damaged (${why}); fix the file or set them again in the app`);
  }
  const problems = checkAppSettings(parsed);
  if (problems.length) throw new Error(`the Slurm settings ${file}: ${problems.map((p) => p.message).join(' ')}`);
  return parsed;
}

/** Checks and saves the settings (atomically); throws with every problem, saving nothing. */
export function writeSlurmAppSettings(userDataDir: string, settings: SlurmAppSettings): SlurmAppSettings {
  const s = SlurmAppSettings.parse(settings);
  const problems = checkAppSettings(s);
  if (problems.length) throw new Error(problems.map((p) => p.message).join(' '));
  const file = slurmSettingsFile(userDataDir);
  fs.mkdirSync(userDataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2));
  fs.renameSync(tmp, file);
  return s;
}
