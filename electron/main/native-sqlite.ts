// Where a checkout keeps better-sqlite3 built for Electron (node_modules keeps the Node build that npm
// test uses). forge.config.ts's generateAssets hook builds it there before `electron-forge start`;
// main.ts loads it from there. Outside .vite/, which the Vite plugin empties when it starts, and named
// by Electron version, so an Electron upgrade never loads a build for another ABI.
import path from 'node:path';

export function electronSqliteBuild(root: string, electronVersion: string): string {
  return path.join(root, 'node_modules', '.cache', 'tessera', `better_sqlite3-electron-${electronVersion}.node`);
}
