// The recent-projects list: a small JSON file in the user data folder, newest first, written atomically.
import fs from 'node:fs';
import path from 'node:path';
import type { RecentProject } from '../../../api/contract';

interface Entry {
  path: string;
  name: string;
  openedAt: string;
}

export class RecentProjects {
  readonly file: string;
  constructor(userDataDir: string, readonly max = 20) {
    this.file = path.join(userDataDir, 'recent-projects.json');
  }

  private read(): Entry[] {
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { items?: unknown };
      if (!Array.isArray(data.items)) return [];
      return data.items.filter(
        (e): e is Entry => !!e && typeof e.path === 'string' && typeof e.name === 'string' && typeof e.openedAt === 'string',
      );
    } catch {
      return []; // missing or unreadable: start afresh (the list is a convenience, not data)
    }
  }

  private write(items: Entry[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, items }, null, 2));
    fs.renameSync(tmp, this.file);
  }

  add(projectPath: string, name: string, when = new Date()): void {
    const abs = path.resolve(projectPath);
    const items = this.read().filter((e) => e.path !== abs);
    items.unshift({ path: abs, name, openedAt: when.toISOString() });
    this.write(items.slice(0, this.max));
  }

  remove(projectPath: string): void {
    const abs = path.resolve(projectPath);
    this.write(this.read().filter((e) => e.path !== abs));
  }

  list(): RecentProject[] {
    return this.read().map((e) => ({ ...e, exists: fs.existsSync(e.path) }));
  }
}
