// The GP kernels' public face (the registry itself is registry.ts: a new kernel is one file and one entry there).
export { kernels, USER_KERNELS, getKernel } from './registry.js';
export { Pairs } from './pairs.js';
export { KernelEvaluator } from './expr.js';
export type { BaseKernel, KernelContext, KernelParamSpec, InitRule } from './types.js';
export { DEFAULT_BOUNDS } from './types.js';
export { kernelParamNames } from './expr.js';
