// Log densities of hyperparameter priors (`ls = 2 prior lognormal(0, 1)`) and their
// derivatives in natural units: a fit with priors maximizes log p(y | theta) + log p(theta).
import type { ParamPrior } from '../../ir/types.js';
import { LOG_2PI, lgamma } from '../../stdlib/special.js';
import type { GPCore } from './core.js';

/** log p(v) and d log p / dv. */
export function priorTerm(p: ParamPrior, v: number): { lp: number; d: number } {
  switch (p.kind) {
    case 'normal': {
      const z = (v - p.a) / p.b;
      return { lp: -0.5 * z * z - Math.log(p.b) - 0.5 * LOG_2PI, d: -(v - p.a) / (p.b * p.b) };
    }
    case 'lognormal': {
      if (!(v > 0)) return { lp: -Infinity, d: 0 };
      const z = (Math.log(v) - p.a) / p.b;
      return { lp: -Math.log(v) - Math.log(p.b) - 0.5 * LOG_2PI - 0.5 * z * z, d: -1 / v - (Math.log(v) - p.a) / (p.b * p.b * v) };
    }
    case 'gamma': {
      if (!(v > 0)) return { lp: -Infinity, d: 0 };
      return { lp: p.a * Math.log(p.b) - lgamma(p.a) + (p.a - 1) * Math.log(v) - p.b * v, d: (p.a - 1) / v - p.b };
    }
  }
}

/** The sum of the free hyperparameters' log priors; adds their derivatives into `grads` when given. */
export function logPrior(core: GPCore, grads?: Map<string, Float64Array>): number {
  let total = 0;
  for (const h of core.free) {
    const p = core.state.param(h.name).prior;
    if (!p) continue;
    const v = core.value(h.name);
    const g = grads?.get(h.name);
    for (let i = 0; i < h.size; i++) {
      const t = priorTerm(p, v[i]!);
      total += t.lp;
      if (g) g[i] += t.d;
    }
  }
  return total;
}

/** Whether any free hyperparameter has a prior. */
export function hasPriors(core: GPCore): boolean {
  return core.free.some((h) => core.state.param(h.name).prior !== undefined);
}
