// The kernels users write, keyed by name: adding a kernel is one file and one line here.
import { coregion } from './coregion.js';
import { constant } from './constant.js';
import { linear } from './linear.js';
import { matern12 } from './matern12.js';
import { matern32 } from './matern32.js';
import { matern52 } from './matern52.js';
import { periodic } from './periodic.js';
import { polynomial } from './polynomial.js';
import { rbf } from './rbf.js';
import { rq } from './rq.js';
import { spectralMixture } from './spectral-mixture.js';
import type { BaseKernel } from './types.js';
import { white } from './white.js';

export const kernels: ReadonlyMap<string, BaseKernel> = new Map(
  [rbf, matern12, matern32, matern52, rq, periodic, linear, polynomial, white, constant, spectralMixture, coregion].map((k) => [k.name, k]),
);

/** Kernels users write in model text (coregion is built by `tasks = icm(...)`). */
export const USER_KERNELS: readonly string[] = [...kernels.keys()].filter((k) => k !== 'coregion');

export function getKernel(name: string): BaseKernel | undefined {
  return kernels.get(name);
}
