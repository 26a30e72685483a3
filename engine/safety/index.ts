// The allow-lists for strings that reach processes, paths, scripts and generated C++ (README.md here).
export * from './rules';
export * from './cxx-flags';
export * from './zod';
export * from './variant';
export * from './slurm';
