// Host side of the device circuit: the parameters packed as float32 for the kernels (computed
// in float64: log tables, Normal constants, W and W^T per sum group), and the EM M-step from
// the statistics the device reduced (in float64, through the CPU's own M-steps, so the device
// epoch and the CPU epoch differ only by the float32 sums).
import { normalAssemble, NORMAL_EMPTY, type NormalUnitStats } from '../../../stdlib/distributions/index.js';
import { checkFinite, setLeafParams, weightsMStep } from '../../learners/em.js';
import { PmixError } from '../../errors.js';
import type { EdgeCounts } from '../../node-buffers.js';
import type { ModelState } from '../../state.js';
import { LOG_ZERO, type CircuitPlan, type DiscreteInput } from './plan.js';

const LOG_2PI = Math.log(2 * Math.PI);
const finiteLog = (v: number): number => (v > LOG_ZERO ? v : LOG_ZERO);

/** Rows (j, l) with column j = l and every other column missing: the levels of a discrete input, one variable at a time. */
function levelRows(d: DiscreteInput): Float64Array {
  const D = d.cols.length;
  const x = new Float64Array(D * d.L * D).fill(NaN);
  for (let j = 0; j < D; j++) for (let l = 0; l < d.L; l++) x[(j * d.L + l) * D + j] = l;
  return x;
}

export function packParams(state: ModelState, plan: CircuitPlan): Float32Array {
  const prm = new Float32Array(plan.prmLen);
  for (const d of plan.discrete) {
    const D = d.cols.length;
    const U = d.units;
    const n = D * d.L;
    const out = new Float64Array(n * U);
    // The family's own log-density of each level (no second implementation of it here).
    const layer = state.layers.get(d.id)!;
    layer.family.logDensity(layer.params, layer.ctx, levelRows(d), n, out);
    for (let u = 0; u < U; u++) for (let j = 0; j < D; j++) for (let l = 0; l < d.L; l++) {
      prm[d.table + (u * D + j) * d.L + l] = l < d.levels[j]! ? finiteLog(out[(j * d.L + l) * U + u]!) : LOG_ZERO;
    }
  }
  for (const g of plan.normal) {
    const { params } = state.layers.get(g.id)!;
    const mean = params['mean']!;
    const vr = params['var']!;
    for (let k = 0; k < mean.length; k++) {
      prm[g.table + 3 * k] = mean[k]!;
      prm[g.table + 3 * k + 1] = 0.5 / vr[k]!;
      prm[g.table + 3 * k + 2] = -0.5 * (LOG_2PI + Math.log(vr[k]!));
    }
  }
  for (const g of plan.sums) {
    const UI = g.U * g.I;
    g.weights.forEach((name, f) => {
      const w = g.mixingArity ? denseMixing(state.values.get(name)!, g.U, g.mixingArity) : state.values.get(name)!;
      prm.set(w, g.w + f * UI);
      for (let u = 0; u < g.U; u++) for (let i = 0; i < g.I; i++) prm[g.wt + f * UI + i * g.U + u] = w[u * g.I + i]!;
    });
  }
  return prm;
}

/** A mixing node's weights [U, A] as a dense sum's [U, A * U] (zero off the unit's own inputs). */
function denseMixing(w: Float64Array, U: number, A: number): Float64Array {
  const d = new Float64Array(U * A * U);
  for (let u = 0; u < U; u++) for (let a = 0; a < A; a++) d[u * A * U + a * U + u] = w[u * A + a]!;
  return d;
}

export interface MStepSettings {
  readonly regCovar: number;
  readonly smoothing: number;
}

/** The expected edge counts of every sum node's weights, from the device statistics. */
export function edgeCounts(plan: CircuitPlan, stats: Float32Array): EdgeCounts {
  const counts: EdgeCounts = new Map();
  for (const g of plan.sums) {
    const UI = g.U * g.I;
    g.weights.forEach((name, f) => {
      const dense = stats.subarray(g.counts + f * UI, g.counts + (f + 1) * UI);
      const A = g.mixingArity;
      if (!A) return void counts.set(name, Float64Array.from(dense));
      // A mixing node's counts sit on the dense weights' nonzero entries.
      const c = new Float64Array(g.U * A);
      for (let u = 0; u < g.U; u++) for (let a = 0; a < A; a++) c[u * A + a] = dense[u * g.I + a * g.U + u]!;
      counts.set(name, c);
    });
  }
  return counts;
}

/** One M-step from the device statistics (what runtime/learners/em.ts's mStep does from flows). */
export function mStepFromStats(state: ModelState, plan: CircuitPlan, stats: Float32Array, settings: MStepSettings, iteration: number): void {
  const counts = edgeCounts(plan, stats);
  for (const g of plan.sums) for (const id of g.ids) weightsMStep(state, state.node(id), counts, settings.smoothing);
  // The state's own layers (the plan may have been built on a copy of it).
  for (const d of plan.discrete) {
    const layer = state.layers.get(d.id)!;
    const fixed = fixedRoles(state, layer.names);
    if (fixed.size === Object.keys(layer.names).length) continue;
    const D = d.cols.length;
    const U = d.units;
    const n = D * d.L;
    // The level counts as weighted rows: the family's M-step sees each level once per variable.
    const resp = new Float64Array(n * U);
    for (let u = 0; u < U; u++) for (let j = 0; j < D; j++) for (let l = 0; l < d.L; l++) resp[(j * d.L + l) * U + u] = stats[d.stats + (u * D + j) * d.L + l]!;
    const next = guarded(iteration, layer.family.name, d.id, () => layer.family.mstep(levelRows(d), n, resp, layer.ctx, layer.params, { regCovar: settings.regCovar, fixed, smoothing: settings.smoothing }));
    setLeafParams(state, layer, next, fixed);
  }
  for (const g of plan.normal) {
    const layer = state.layers.get(g.id)!;
    const fixed = fixedRoles(state, layer.names);
    if (fixed.size === Object.keys(layer.names).length) continue;
    const D = g.cols.length;
    const mean = layer.params['mean']!;
    const units: (NormalUnitStats | null)[] = [];
    for (let u = 0; u < g.units; u++) {
      const s = (j: number, k: number): number => stats[g.stats + (u * D + j) * 3 + k]!;
      const nk = s(0, 0);
      if (!(nk >= NORMAL_EMPTY)) {
        units.push(null);
        continue;
      }
      const mu = new Float64Array(D);
      const scatter = new Float64Array(D * D);
      for (let j = 0; j < D; j++) {
        const shift = fixed.has('mean') ? 0 : s(j, 1) / nk;
        mu[j] = mean[u * D + j]! + shift;
        scatter[j * D + j] = Math.max(0, s(j, 2) - 2 * shift * s(j, 1) + shift * shift * nk);
      }
      units.push({ nk, mean: mu, scatter });
    }
    const next = guarded(iteration, 'Normal', g.id, () => normalAssemble(units, layer.ctx, settings.regCovar, layer.params, fixed.has('var')));
    setLeafParams(state, layer, next, fixed);
  }
  checkFinite(state, iteration);
}

function fixedRoles(state: ModelState, names: Readonly<Record<string, string>>): Set<string> {
  return new Set(Object.entries(names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
}

function guarded<T>(iteration: number, family: string, id: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new PmixError(`EM stopped at iteration ${iteration}: ${(e as Error).message} (${family} layer ${id})`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
  }
}
