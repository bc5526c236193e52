// The sparse variational GP's data term for a non-Gaussian likelihood: E_q[log p(y | f)] with
// q(f) = N(mu, v), by Gauss-Hermite quadrature (SVGP_QUADRATURE points, as GPflow's default
// 20), with the derivatives the ELBO's gradient and natural-gradient steps need:
//   d/dmu E[log p] = E[d1],  d/dv E[log p] = 1/2 E[d2]  (Opper & Archambeau 2009),
// and E[d log p / d theta] for the likelihood's own learnable parameters. The ELBO's gradient
// takes d/dv of the quadrature itself, sum_k w_k d1(f_k) z_k / (2 sd), so it is the exact
// derivative of the ELBO as computed (the two differ where the rule is not exact: student_t
// outliers); the natural-gradient step takes 1/2 E[d2], its curvature.
import { gaussHermite } from '../../stdlib/quadrature/index.js';
import type { LikDerivs } from '../../stdlib/likelihoods/index.js';
import type { GPLik } from './laplace.js';

export const SVGP_QUADRATURE = 20;
const GH = gaussHermite(SVGP_QUADRATURE);

export interface ExpectedLogLik {
  value: number;
  dMu: number;
  /** d value / d v of the quadrature rule. */
  dVar: number;
  /** 1/2 E[d2]: the curvature natural-gradient steps use. */
  curv: number;
}

export function expectedLogLik(l: GPLik, y: number, mu: number, v: number, out: ExpectedLogLik, dTheta?: Float64Array): void {
  const sd = Math.sqrt(Math.max(0, v));
  const t: LikDerivs = { lp: 0, d1: 0, d2: 0, d3: 0 };
  let value = 0;
  let d1 = 0;
  let d2 = 0;
  let d1z = 0;
  dTheta?.fill(0);
  for (let k = 0; k < GH.points.length; k++) {
    const w = GH.weights[k]!;
    const f = mu + sd * GH.points[k]!;
    l.lik.derivs(y, f, l.link, l.theta, t);
    value += w * t.lp;
    d1 += w * t.d1;
    d2 += w * t.d2;
    d1z += w * t.d1 * GH.points[k]!;
    if (dTheta && l.lik.paramDerivs) {
      for (let j = 0; j < dTheta.length; j++) if (l.lik.params[j]!.learnable) dTheta[j] += w * l.lik.paramDerivs(y, f, l.link, l.theta, j).lp;
    }
  }
  out.value = value;
  out.dMu = d1;
  out.curv = 0.5 * d2;
  out.dVar = sd > 1e-150 ? d1z / (2 * sd) : out.curv;
}
