// Constant: k = value for every pair (a random offset shared by all outputs).
import { DEFAULT_BOUNDS, type BaseKernel } from './types.js';

export const constant: BaseKernel = {
  name: 'constant',
  description: 'a constant covariance (a shared random offset)',
  params: [{ name: 'value', aliases: ['c', 'variance'], shape: () => [], positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS }],
  positional: 'value',
  stationary: true,
  value([v], _ctx, pairs, out) {
    out.fill(v![0]!, 0, pairs.length);
  },
  grad(_p, _ctx, pairs, w, _k, [g]) {
    let acc = 0;
    for (let p = 0; p < pairs.length; p++) acc += w[p]!;
    g![0] += acc;
  },
};
