// Bit-accurate fixed point (FIXED_POINT.md): types, casts, exact arithmetic, per-layer precision.
export * from './types';
export * from './cast';
export * from './arith';
export * from './precision';
