// A picture of a fitted one-input mixture of experts (plot/'s regression picture): the predictive mixture's
// mean and its 2.5%-97.5% quantile band, and each expert's mean and 95% band (mean -/+ 1.96 sd)
// drawn where the gate gives it at least 10% of the weight; data points (GP experts' stored ones).
import { bandPath, linePath, PALETTE, regressionSvg } from '../../plot/index.js';
import type { ModelState } from '../../runtime/state.js';
import { GP_TRAIN_X, GP_TRAIN_Y } from './expert-gp.js';
import { expertMoments, modelOf } from './model.js';
import { mixtureAt, mixtureMean, mixtureQuantile } from './predictive.js';
import { moeNode } from './spec.js';

const GRID = 240;
/** The palette without its first blue, which the mixture's own mean and band use. */
const EXPERT_COLORS = PALETTE.slice(1);

export function plotMoe(state: ModelState, opts: { points?: readonly (readonly number[])[]; span?: readonly [number, number]; output?: number } = {}): string {
  const m = modelOf(state);
  const { K, P, D } = m.spec;
  if (D !== 1) throw new Error(`plotting needs a mixture of experts with one input; this one has ${D}`);
  const p = opts.output ?? 0;
  const range = moeNode(state.graph).options.input_range as readonly number[] | undefined;
  // GP experts store their training points: drawn unless points are given
  const tx = state.values.get(GP_TRAIN_X);
  const ty = state.values.get(GP_TRAIN_Y);
  const stored = tx && ty && p === 0 ? Array.from(ty, (y, i) => [tx[i]!, y]) : [];
  const pts = (opts.points ?? stored).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
  let [x0, x1] = opts.span ?? (pts.length ? [Math.min(...pts.map((q) => q[0]!)), Math.max(...pts.map((q) => q[0]!))] : range ? [range[0]!, range[1]!] : [0, 1]);
  if (!opts.span) {
    const pad = (x1 - x0 || 1) * 0.05;
    x0 -= pad;
    x1 += pad;
  }
  const grid = Array.from({ length: GRID }, (_, i) => x0 + ((x1 - x0) * i) / (GRID - 1));
  const mixes = grid.map((x) => mixtureAt(m, [x]));
  const mean = mixes.map((mx) => mixtureMean(mx, K, P, p));
  const lo = mixes.map((mx) => mixtureQuantile(mx, K, P, p, 0.025));
  const hi = mixes.map((mx) => mixtureQuantile(mx, K, P, p, 0.975));
  const mom = expertMoments(m, Float64Array.from(grid), GRID);
  const ex = Array.from({ length: K }, (_, k) => grid.map((_x, i) => {
    const mu = mom.mean[(i * K + k) * P + p]!;
    const s = 1.96 * Math.sqrt(mom.vars[(i * K + k) * P + p]!);
    return { mu, lo: mu - s, hi: mu + s, on: mixes[i]!.weights[k]! >= 0.1 };
  }));
  const ys = [...lo, ...hi, ...pts.filter((q) => q[0]! >= x0 && q[0]! <= x1).map((q) => q[1]!), ...ex.flatMap((e) => e.filter((v) => v.on).flatMap((v) => [v.lo, v.hi]))].filter(Number.isFinite);
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const ypad = (y1 - y0 || 1) * 0.05;
  // An expert is drawn only where the gate gives it 10%+: elsewhere its values are gaps.
  const where = (e: (typeof ex)[number], pick: (v: (typeof ex)[number][number]) => number): number[] => e.map((v) => (v.on ? pick(v) : NaN));
  return regressionSvg({
    names: [state.graph.vars[m.spec.inputs[0]!]!.name, state.graph.vars[m.spec.outputs[p]!]!.name],
    domain: [x0, x1],
    yDomain: [y0 - ypad, y1 + ypad],
    xs: grid,
    mean,
    lo,
    hi,
    points: pts,
    title: `Mixture of ${K} experts`,
    note: 'line, band: mixture mean, 95% interval; dashed: experts, 95% bands (where gate 10%+)',
    layers: (f) => ex.flatMap((e, k) => {
      const color = EXPERT_COLORS[k % EXPERT_COLORS.length]!;
      return [
        bandPath(f, grid, where(e, (v) => v.lo), where(e, (v) => v.hi), { color, opacity: 0.15, cls: `expert-band` }),
        linePath(f, grid, where(e, (v) => v.mu), { color, width: 1.5, dash: '5,3', cls: `expert-mean` }),
      ];
    }),
  });
}
