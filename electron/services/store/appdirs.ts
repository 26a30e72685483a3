// Where the app keeps its own files: user data (recent projects) and the default projects folder.
// Tests and the CLI pass folders explicitly; otherwise TESSERA_USER_DATA / TESSERA_PROJECTS_DIR, then
// the platform's usual places.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

export interface AppDirs {
  userDataDir: string;
  projectsDir: string;
}

export function defaultUserDataDir(): string {
  if (process.env.TESSERA_USER_DATA) return path.resolve(process.env.TESSERA_USER_DATA);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Tessera');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Tessera');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'tessera');
}

export function defaultProjectsDir(): string {
  if (process.env.TESSERA_PROJECTS_DIR) return path.resolve(process.env.TESSERA_PROJECTS_DIR);
  return path.join(os.homedir(), 'Tessera Projects');
}

export function resolveAppDirs(given: Partial<AppDirs> = {}): AppDirs {
  const dirs = { userDataDir: given.userDataDir ?? defaultUserDataDir(), projectsDir: given.projectsDir ?? defaultProjectsDir() };
  fs.mkdirSync(dirs.userDataDir, { recursive: true });
  fs.mkdirSync(dirs.projectsDir, { recursive: true });
  return dirs;
}

/** A file-system-safe project file name from a user's name: no folders, no control or reserved characters. */
export function safeFileStem(name: string): string {
  const stem = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f<>:"/\\|?*\u007f]/g, '-')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
    .slice(0, 120);
  return stem || 'untitled';
}

/** `<dir>/<stem>.tessera`, or `<stem> 2.tessera`, … when taken. */
export function uniqueProjectPath(dir: string, name: string): string {
  const stem = safeFileStem(name);
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, `${i === 1 ? stem : `${stem} ${i}`}.tessera`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}
