// Kernel density estimation: kernels, bandwidths, exact and tree evaluation, queries, modes.
export * from './kernels.js';
export * from './bandwidth.js';
export * from './model.js';
export { logDensity, checkQueries } from './direct.js';
export { buildTree, treeLogDensity, type KdTree, type TreeOptions } from './tree.js';
export * from './cross-validation.js';
export * from './queries.js';
export * from './mean-shift.js';
export { useKdeWasm } from './direct-wasm.js';
export { kdeFamily } from './family.js';
