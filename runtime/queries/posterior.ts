// posterior(x = ...): probabilities of the root mixture's components given the evidence
// (scikit-learn's predict_proba); unobserved variables are marginalized.
import type { BoundQuery } from '../../ir/query.js';
import { forward } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from './answer.js';
import { evidenceRow, queryError } from './evidence.js';

/** n x arity component probabilities; NaN for a row with zero density under every component. */
export function posteriorProbs(state: ModelState, x: Float64Array, n: number): Float64Array | undefined {
  const root = state.node(state.graph.root);
  if (root.kind !== 'mixing') return undefined;
  const vals = forward(state, x, n);
  const A = root.arity;
  const w = state.values.get(root.weights)!;
  const kids = root.children.map((c) => ({ v: vals.get(c)!, units: state.node(c).units }));
  const out = new Float64Array(n * A);
  const rootVals = vals.get(root.id)!;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < A; a++) {
      let j = a;
      let lv = -Infinity;
      for (const k of kids) {
        if (j < k.units) {
          lv = k.v[i * k.units + j]!;
          break;
        }
        j -= k.units;
      }
      out[i * A + a] = Math.exp(Math.log(w[a]!) + lv - rootVals[i]!);
    }
  }
  return out;
}

export function posteriorQuery(state: ModelState, q: Extract<BoundQuery, { kind: 'posterior' }>): QueryAnswer {
  const x = evidenceRow(state.graph.vars.length, q.evidence);
  const probs = posteriorProbs(state, x, 1);
  if (!probs) throw queryError(q, 'posterior needs a model whose outermost part is a mixture');
  if (probs.some((p) => Number.isNaN(p))) {
    throw queryError(q, 'the given values have zero density under every component (e.g. far outside the data): the posterior is undefined');
  }
  let best = 0;
  for (let a = 1; a < probs.length; a++) if (probs[a]! > probs[best]!) best = a;
  return { kind: 'posterior', probs: Array.from(probs), best };
}
