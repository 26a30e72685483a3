// Types of bin/cli-build.mjs (plain JavaScript so that it runs before anything is compiled).
export const ROOT: string;
/** Why the recorded build of `root` cannot be used, or null when it is current. */
export function staleReason(root?: string): string | null;
/** Bundles root/electron/cli/main.ts into root/dist/cli/<id>/ and makes it current; returns its main.mjs path. */
export function buildCli(root?: string): Promise<string>;
/** Keeps the build folder of a currentCliEntry URL from being pruned while this process runs; returns a stop function. */
export function holdBuild(entryUrl: string): () => void;
/** file: URL of a current build's main.mjs, building first when there is none or it is stale. */
export function currentCliEntry(root?: string): Promise<string>;
