// Types of scripts/test-prereqs.mjs (plain JavaScript so that it runs before npm ci).
export interface FoundBrowser {
  path: string;
  from: 'TESSERA_CHROMIUM' | "Playwright's download" | 'PATH' | 'Applications';
  exists: boolean;
}
export interface Tool {
  name: string;
  debian: string;
  fedora: string;
  macos: string;
}
export function onPath(command: string, env?: NodeJS.ProcessEnv): string | null;
export function findBrowser(env?: NodeJS.ProcessEnv): FoundBrowser | null;
export function missingTools(env?: NodeJS.ProcessEnv): Tool[];
export function installAdvice(missing: Tool[]): string;
