// Before a fit of leaf experts: every observed output lies in the leaf's support (a Gamma's
// y >= 0, a Beta's 0..1), else the fit stops naming the row and column.
import { PmixError } from '../../runtime/errors.js';
import type { FitRequest } from '../../runtime/family.js';
import { univariateDistributions } from '../../stdlib/distributions/index.js';
import type { MoeSpec } from './spec.js';

export function checkLeafSupport(spec: MoeSpec, req: FitRequest): void {
  const dist = univariateDistributions.get(spec.leaf!)!;
  const V = req.state.graph.vars.length;
  const v = spec.outputs[0]!;
  for (let r = 0; r < req.rows; r++) {
    const y = req.x[r * V + v]!;
    if (Number.isNaN(y)) continue;
    if (dist.support && !dist.support.contains(y)) throw new PmixError(`fitting ${req.model} on ${req.data}: row ${r + 1}, column '${req.state.graph.vars[v]!.name}': ${y} is outside the support of ${spec.leaf} experts (${dist.support.text})`, 'bad-data');
  }
}
