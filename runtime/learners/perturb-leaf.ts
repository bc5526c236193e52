// Discrete leaves of a circuit start as random draws around their data estimate, so that no
// two units start identical: EM never separates identical units (their flows split in a fixed
// ratio and their M-steps give them the same parameters again).
import type { IRParam } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';

/** Draws per unit, centred on the data estimate: Beta(c p, c (1 - p)) or Dirichlet(c p). */
const CONCENTRATION = 20;

export function perturbLeaf(param: IRParam, values: Float64Array, rng: Rng): void {
  if (param.param.kind === 'unit') {
    for (let i = 0; i < values.length; i++) {
      const p = Math.min(1 - 1e-3, Math.max(1e-3, values[i]!));
      values[i] = Math.min(1 - 1e-6, Math.max(1e-6, rng.beta(CONCENTRATION * p, CONCENTRATION * (1 - p))));
    }
  } else if (param.param.kind === 'simplex') {
    const L = param.shape[param.shape.length - 1]!;
    for (let r = 0; r < values.length / L; r++) {
      let t = 0;
      for (let l = 0; l < L; l++) t += values[r * L + l] = Math.max(1e-12, rng.gamma(CONCENTRATION * Math.max(1e-3, values[r * L + l]!)));
      for (let l = 0; l < L; l++) values[r * L + l] = Math.max(1e-9, values[r * L + l]! / t);
    }
  }
}
