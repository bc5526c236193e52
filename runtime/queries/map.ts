// MAP/MPE on a circuit: a max-product upward pass (sums take the max of their weighted
// inputs; each leaf unit the max of its density over its free variables, at its mode given
// the evidence in its scope), then a top-down walk that follows each sum unit's argmax input
// and writes each reached leaf unit's mode. On a deterministic circuit at most one input of a
// sum is non-zero at any complete assignment, so max-product equals the true max: the answer
// is an exact MPE. Otherwise it is the max-product approximation, the density of whose point
// is at least the max-product value and at most the true maximum.
import { PmixError } from '../errors.js';
import { deterministic } from '../../circuits/properties.js';
import { forward } from '../evaluate.js';
import type { ModelState } from '../state.js';
import { topDown } from './top-down.js';
import { upward, type LeafValues } from './upward.js';

export interface MapResult {
  /** A row over all variables: the evidence values and the chosen values of the others. */
  readonly point: Float64Array;
  /** log p(point): the circuit's log-density of the complete assignment (joint with the evidence). */
  readonly logDensity: number;
  /** The max-product value at the root: equal to logDensity when exact, at most it otherwise. */
  readonly maxProduct: number;
  /** True when the circuit is (provably) deterministic: then point is a true MPE. */
  readonly exact: boolean;
}

/** The leaf units' modes given the evidence in their scope, per leaf: unit -> values of the free scope variables. */
type LeafModes = Map<string, { free: number[]; modes: Float64Array[] }>;

/** evidence: a row over all variables, NaN = free (maximized). Throws when the evidence has zero density. */
export function mapState(state: ModelState, evidence?: Float64Array): MapResult {
  const V = state.graph.vars.length;
  const ev = evidence ?? new Float64Array(V).fill(NaN);
  const modes: LeafModes = new Map();
  const leaf: LeafValues = (node, layer) => {
    const local = Float64Array.from(node.scope, (v) => ev[v]!);
    const free = node.scope.filter((v) => Number.isNaN(ev[v]!));
    const U = node.units;
    const D = node.scope.length;
    // Row u is unit u's maximizing point; the unit's value is its density there.
    const rows = new Float64Array(U * D);
    const unitModes: Float64Array[] = [];
    for (let u = 0; u < U; u++) {
      let m: Float64Array;
      if (free.length === 0) m = new Float64Array(0);
      else if (free.length === D) m = layer.family.mode(layer.params, layer.ctx, u);
      else {
        const c = layer.family.condition(layer.params, layer.ctx, u, local);
        m = layer.family.mode(c.params, c.ctx, 0);
      }
      unitModes.push(m);
      let f = 0;
      for (let j = 0; j < D; j++) rows[u * D + j] = Number.isNaN(local[j]!) ? m[f++]! : local[j]!;
    }
    modes.set(node.id, { free, modes: unitModes });
    const all = new Float64Array(U * U);
    layer.family.logDensity(layer.params, layer.ctx, rows, U, all);
    return Float64Array.from({ length: U }, (_, u) => all[u * U + u]!);
  };
  const { values, argmax } = upward(state, leaf, 'max');
  const maxProduct = values.get(state.graph.root)![0]!;
  if (!(maxProduct > -Infinity)) throw new PmixError('the given values have zero density under the model: there is no MAP state', 'bad-query');
  const point = Float64Array.from(ev);
  topDown(state, state.graph.root, 0, {
    choose: (node, unit) => argmax.get(node.id)![unit]!,
    leaf: (node, unit) => {
      const m = modes.get(node.id)!;
      m.free.forEach((v, j) => (point[v] = m.modes[unit]![j]!));
    },
  });
  const logDensity = forward(state, point, 1).get(state.graph.root)![0]!;
  return { point, logDensity, maxProduct, exact: isDeterministic(state) };
}

/** Determinism of the circuit with its current parameter values (zero probabilities may come from a fit). */
export function isDeterministic(state: ModelState): boolean {
  return deterministic(state.toGraph()).length === 0;
}
