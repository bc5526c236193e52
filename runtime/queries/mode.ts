// mode(): the highest-density point found by local ascent from the mode of each component
// of the root mixture (and the overall mean and the max-product MAP point): preconditioned gradient ascent on the real
// coordinates, neighbour search on int, bool and categorical ones. Exact for a single
// component; for mixtures a local maximum, the best of all starts.
import type { VarType } from '../../ir/types.js';
import { logDensityRows } from '../evaluate.js';
import type { ModelState } from '../state.js';
import { mapState } from './map.js';
import { summarize } from './moments.js';

/** Local ascents are costly in the number of components: only the most promising start. */
const MAX_STARTS = 16;

export interface ModeResult {
  readonly point: Float64Array;
  readonly logDensity: number;
}

export function findMode(state: ModelState): ModeResult {
  const V = state.graph.vars.length;
  const types = state.graph.vars.map((v) => v.type);
  const summary = summarize(state, state.graph.vars.map((_, i) => i));
  const scale = summary.map((s) => (s.sd && s.sd > 0 ? s.sd : 1));
  const starts = bestStarts(state, [...startPoints(state, summary.map((s, i) => s.mean ?? argmaxLevel(s.probs, types[i]!))), ...maxProductStart(state)]);
  let best: ModeResult | undefined;
  for (const x0 of starts) {
    const r = ascend(state, x0, types, scale);
    if (!best || r.logDensity > best.logDensity) best = r;
  }
  if (!best) return { point: new Float64Array(V), logDensity: -Infinity };
  return best;
}

/** The max-product MAP point as one more start (none where max-product finds no point of positive density). */
function maxProductStart(state: ModelState): Float64Array[] {
  try {
    return [mapState(state).point];
  } catch {
    return [];
  }
}

function argmaxLevel(probs: Readonly<Record<string, number>> | undefined, t: VarType): number {
  if (!probs) return 0;
  const vals = Object.values(probs);
  let b = 0;
  for (let i = 1; i < vals.length; i++) if (vals[i]! > vals[b]!) b = i;
  return t.kind === 'bool' ? b : b;
}

/** The MAX_STARTS starts of highest density (all of them evaluated in one batch). */
function bestStarts(state: ModelState, starts: Float64Array[]): Float64Array[] {
  if (starts.length <= MAX_STARTS) return starts;
  const V = state.graph.vars.length;
  const rows = new Float64Array(starts.length * V);
  starts.forEach((s, i) => rows.set(s, i * V));
  const lp = logDensityRows(state, rows, starts.length);
  const order = starts.map((_, i) => i).sort((a, b) => (lp[b]! > lp[a]! ? 1 : lp[b]! < lp[a]! ? -1 : a - b));
  return order.slice(0, MAX_STARTS).map((i) => starts[i]!);
}

/** The mode of every unit of the root's children (each component), plus the mean. */
function startPoints(state: ModelState, mean: number[]): Float64Array[] {
  const V = state.graph.vars.length;
  const root = state.node(state.graph.root);
  const starts: Float64Array[] = [Float64Array.from(mean)];
  const visit = (id: string, unit: number, row: Float64Array): void => {
    const node = state.node(id);
    if (node.kind === 'input') {
      const layer = state.layers.get(id)!;
      const m = layer.family.mode(layer.params, layer.ctx, unit);
      node.scope.forEach((v, j) => (row[v] = m[j]!));
    } else if (node.kind === 'product') {
      for (const c of node.children) visit(c, unit, row);
    } else if (node.kind === 'mixing') {
      const w = state.values.get(node.weights)!;
      let a = 0;
      for (let b = 1; b < node.arity; b++) if (w[unit * node.arity + b]! > w[unit * node.arity + a]!) a = b;
      visitChild(node.children, a * node.units + unit, row);
    }
  };
  const visitChild = (children: readonly string[], j: number, row: Float64Array): void => {
    for (const c of children) {
      const cu = state.node(c).units;
      if (j < cu) return visit(c, j, row);
      j -= cu;
    }
  };
  if (root.kind === 'mixing') {
    for (let a = 0; a < root.arity; a++) {
      const row = Float64Array.from(mean);
      visitChild(root.children, a, row);
      starts.push(row);
    }
  } else {
    const row = new Float64Array(V);
    visit(root.id, 0, row);
    starts.push(row);
  }
  return starts;
}

function ascend(state: ModelState, x0: Float64Array, types: readonly VarType[], scale: readonly number[]): ModeResult {
  const V = x0.length;
  const f = (rows: Float64Array, n: number): Float64Array => logDensityRows(state, rows, n);
  const x = Float64Array.from(x0);
  types.forEach((t, v) => {
    if (t.kind !== 'real') x[v] = Math.max(0, Math.round(x[v]!));
  });
  const real = types.map((t, i) => (t.kind === 'real' ? i : -1)).filter((i) => i >= 0);
  let fx = f(x, 1)[0]!;
  let step = 1;
  for (let it = 0; it < 500; it++) {
    const before = fx;
    if (real.length) {
      // Central differences, all perturbations in one batch.
      const rows = new Float64Array(2 * real.length * V);
      real.forEach((v, k) => {
        const h = 1e-6 * scale[v]!;
        rows.set(x, 2 * k * V);
        rows.set(x, (2 * k + 1) * V);
        rows[2 * k * V + v] += h;
        rows[(2 * k + 1) * V + v] -= h;
      });
      const fr = f(rows, 2 * real.length);
      const g = real.map((v, k) => ((fr[2 * k]! - fr[2 * k + 1]!) / (2e-6 * scale[v]!)) * scale[v]! * scale[v]!);
      step = Math.min(step * 2, 1e3);
      // Near the limits of float64 (values ~1e300) differences overflow: no step beats a NaN one.
      for (; step > 1e-12 && g.every(Number.isFinite); step /= 2) {
        const y = Float64Array.from(x);
        real.forEach((v, k) => (y[v] += step * g[k]!));
        if (!y.every(Number.isFinite)) continue;
        const fy = f(y, 1)[0]!;
        if (fy > fx) {
          x.set(y);
          fx = fy;
          break;
        }
      }
    }
    types.forEach((t, v) => {
      if (t.kind === 'real') return;
      const options = t.kind === 'categorical' ? t.levels.map((_, l) => l) : t.kind === 'bool' ? [0, 1] : [x[v]! - 1, x[v]! + 1];
      for (const o of options) {
        if (o === x[v]) continue;
        const y = Float64Array.from(x);
        y[v] = o;
        const fy = f(y, 1)[0]!;
        if (fy > fx) {
          x.set(y);
          fx = fy;
        }
      }
    });
    if (fx - before < 1e-12 * Math.max(1, Math.abs(fx))) break;
  }
  return { point: x, logDensity: fx };
}
