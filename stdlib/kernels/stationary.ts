// Shared by the stationary kernels k = f(s), s = sum_d ((x_d - x'_d) / ls_d)^2: the scaled
// squared distance of a block and the lengthscale gradient, given df/ds on the block.
import type { Pairs } from './pairs.js';
import { DEFAULT_BOUNDS, type KernelContext, type KernelParamSpec } from './types.js';

/** The `ls` parameter: one value, or one per input dimension (ARD) when written as a vector. */
export const LENGTHSCALE: KernelParamSpec = {
  name: 'ls',
  aliases: ['lengthscale', 'length_scale'],
  shape: () => [],
  ard: true,
  positive: true,
  init: { kind: 'input-sd', factor: 1 },
  bounds: DEFAULT_BOUNDS,
};

/** out[p] = s for the block, with the lengthscales ls (one shared or one per dimension). */
export function scaledSqdist(ls: Float64Array, pairs: Pairs, out: Float64Array): void {
  const inv = ls.map((l) => 1 / l);
  pairs.sqdist(inv, out);
}

/**
 * Accumulates the lengthscale gradient into g: with dfds[p] = w[p] * df/ds at pair p,
 * dk/dls_d = df/ds * (-2 (x_d - x'_d)^2 / ls_d^3); shared ls: df/ds * (-2 s / ls).
 */
export function lengthscaleGrad(ls: Float64Array, pairs: Pairs, wdfds: Float64Array, s: Float64Array, g: Float64Array): void {
  if (ls.length === 1) {
    let acc = 0;
    for (let p = 0; p < pairs.length; p++) acc += wdfds[p]! * s[p]!;
    g[0] += (-2 * acc) / ls[0]!;
    return;
  }
  for (let c = 0; c < ls.length; c++) {
    const l = ls[c]!;
    g[c] += (-2 * pairs.weightedSqdiff(c, wdfds)) / (l * l * l);
  }
}

export function ardShape(ctx: KernelContext): number[] {
  return [ctx.dims];
}

/**
 * Input gradients of a stationary k = f(s): with wdfds[p] = w[p] * df/ds at pair p,
 * dk/dx_d = df/ds * 2 (x_d - x'_d) / ls_d^2 and dk/dx'_d = -dk/dx_d.
 */
export function stationaryGradX(ls: Float64Array, pairs: Pairs, wdfds: Float64Array, g1: Float64Array | undefined, g2: Float64Array | undefined): void {
  const t = pairs.scratch(5);
  for (let c = 0; c < pairs.cols.length; c++) {
    const l = ls.length === 1 ? ls[0]! : ls[c]!;
    const f = 2 / (l * l);
    pairs.diff(c, t);
    for (let p = 0; p < pairs.length; p++) t[p] = f * wdfds[p]! * t[p]!;
    pairs.scatter(c, g1, t, g2, t, -1);
  }
}
