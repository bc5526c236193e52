// Adam steps for GP experts: as EM's M-step (expert-gp.ts: gpMStep), each expert's noise
// multipliers are set to 1 / r_ik and its hyperparameters move up the gradient of its weighted
// log marginal likelihood plus ((n - sum_i r_ik) / 2) log sigma_k^2 (the expected complete-data
// objective, and log priors), here by one Adam step in the GP's own packed coordinates (within
// its bounds) instead of L-BFGS steps. Full batch: an exact GP conditions on all its points.
import { PmixError } from '../../runtime/errors.js';
import { GPCore } from '../../runtime/gp/core.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { hasPriors, logPrior } from '../../runtime/gp/prior.js';
import type { AdamOptimizer } from '../../runtime/learners/adam-optimizer.js';
import { expertState, GP_SCALE, MIN_R, trainData, writeBack, type GpExperts } from './expert-gp.js';

export function gpAdamStep(g: GpExperts, R: Float64Array, opt: AdamOptimizer, divide: number): void {
  const sc = g.state.values.get(GP_SCALE)!;
  const n = sc.length / g.K;
  for (let k = 0; k < g.K; k++) for (let i = 0; i < n; i++) sc[k * n + i] = R[i * g.K + k]! >= MIN_R ? 1 / R[i * g.K + k]! : 0;
  for (let k = 0; k < g.K; k++) {
    const s = expertState(g, k);
    const core = new GPCore(s, g.template);
    if (core.dim === 0) continue;
    const d = trainData(g, k);
    if (d.n === 0) continue;
    let mass = 0;
    for (let i = 0; i < d.n; i++) mass += 1 / d.noiseScale![i]!;
    const c = (d.n - mass) / 2;
    const theta = core.pack();
    let grad: Float64Array;
    try {
      const r = exactLml(core, d, true, new Float64Array(d.n * d.n));
      const s2 = core.noiseOf(0);
      r.grad!.get(g.template.noise)?.forEach((v, i, a) => (a[i] = v + c / s2));
      if (hasPriors(core)) logPrior(core, r.grad!);
      grad = Float64Array.from(core.packGrad(r.grad!));
    } catch (e) {
      if (e instanceof PmixError && e.code === 'not-positive-definite') continue;
      throw e;
    }
    if (grad.some((v) => !Number.isFinite(v))) continue;
    const { lower, upper } = core.bounds();
    opt.ascend(`gp${k}`, theta, grad, { divide, lower, upper });
    core.unpack(theta);
    writeBack(g, k, s);
  }
}
