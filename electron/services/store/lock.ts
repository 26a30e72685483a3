// One project open once: an exclusive lock file beside the project (`<file>.lock`), created with
// O_EXCL and holding the owner's pid and host. A lock whose process is gone (crash, SIGKILL) is stale
// and recovered; a lock held by a live process on this host means the project is already open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError } from './errors';

interface LockInfo {
  pid: number;
  host: string;
  createdAt: string;
}

export function lockPathOf(projectPath: string): string {
  return `${projectPath}.lock`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockPath: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : null;
  } catch {
    return null;
  }
}

/** True when another live process on this host (or another host) holds the project's lock. */
export function heldByOther(projectPath: string): boolean {
  const info = readLock(lockPathOf(projectPath));
  if (!info) return fs.existsSync(lockPathOf(projectPath));
  if (info.host !== os.hostname()) return true;
  return info.pid !== process.pid && alive(info.pid);
}

export class ProjectLock {
  private released = false;
  private constructor(readonly lockPath: string) {}

  /** Takes the lock of `projectPath` or throws StoreError('locked'). */
  static acquire(projectPath: string): ProjectLock {
    const lockPath = lockPathOf(projectPath);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(lockPath, 'wx');
        const info: LockInfo = { pid: process.pid, host: os.hostname(), createdAt: new Date().toISOString() };
        fs.writeSync(fd, JSON.stringify(info));
        fs.closeSync(fd);
        return new ProjectLock(lockPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') {
          throw new StoreError('io', `cannot create the lock file ${lockPath} (${code ?? (e as Error).message}); check the folder is writable`);
        }
      }
      const info = readLock(lockPath);
      const name = path.basename(projectPath);
      if (info && info.host !== os.hostname()) {
        throw new StoreError(
          'locked',
          `${name} is open on another computer (${info.host}, process ${info.pid}); close it there, or delete ${lockPath} if that computer crashed`,
        );
      }
      if (info && alive(info.pid)) {
        const who = info.pid === process.pid ? 'already open in this Tessera' : `already open in another Tessera (process ${info.pid})`;
        throw new StoreError('locked', `${name} is ${who}; switch to that window or close the project there first`);
      }
      if (!info) {
        // Unreadable lock: a writer may be between create and write; give it a moment, then call it stale.
        let age = 0;
        try {
          age = Date.now() - fs.statSync(lockPath).mtimeMs;
        } catch {
          continue;
        }
        if (age < 2000) {
          throw new StoreError('locked', `${name} is being opened by another process; try again in a moment`);
        }
      }
      // Stale: its process is gone. Remove and retry.
      try {
        fs.unlinkSync(lockPath);
      } catch {
        /* someone else removed it: retry */
      }
    }
    throw new StoreError('locked', `could not take the lock ${lockPath}; close other Tessera windows using this project and retry`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const info = readLock(this.lockPath);
    if (info && info.pid === process.pid) {
      try {
        fs.unlinkSync(this.lockPath);
      } catch {
        /* already gone */
      }
    }
  }
}
