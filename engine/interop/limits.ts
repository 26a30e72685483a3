// Bounds on what reading one model file may allocate: a zip entry inflated, an HDF5 dataset read, and all
// of them together. Hosts raise them from TESSERA_IMPORT_MAX_MB (README "Shared projects and other
// untrusted input"); the time limit of an import is the host's (electron/services/import).
export interface ImportLimits {
  /** Largest zip entry inflated or HDF5 dataset read, bytes. */
  entryBytes: number;
  /** Largest sum of everything inflated and read from one file, bytes. */
  totalBytes: number;
}

/** 1 GiB per entry or dataset and 2 GiB in all: a large model's weights with room, far below what a bomb asks. */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { entryBytes: 1 << 30, totalBytes: 2 * (1 << 30) };

/** How the limits are raised (in messages). */
export const IMPORT_LIMIT_HINT = 'if the file is genuine, raise the limit with TESSERA_IMPORT_MAX_MB=<megabytes>';

/** Limits of `mb` megabytes per entry and twice that in all. */
export function importLimitsOf(mb: number): ImportLimits {
  return { entryBytes: mb * 2 ** 20, totalBytes: 2 * mb * 2 ** 20 };
}

export const mib = (n: number): string => `${Math.ceil(n / 2 ** 20)} MiB`;
