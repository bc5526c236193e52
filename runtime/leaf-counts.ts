// The level counts of discrete input layers (stdlib/distributions/discrete-fast.ts: per column,
// the responsibilities summed per level) accumulated inside the threaded backward: each
// participant counts its own rows into its slot right after its flows are written, and the
// caller adds the slots in participant order (deterministic; the sums differ from one thread's
// row-order pass only by rounding). The M-step then reads them (withLevelCounts) instead of a
// serial pass over n x units responsibilities per column. Only layers whose family fits from
// level counts (LeafFamily.levelCounted) over finitely many levels (finiteLevels) take part;
// a column with a value outside 0..L-1 is left to the M-step's own pass.
import { discreteFastPathOn, type LevelCounts } from '../stdlib/distributions/index.js';
import type { NodeValues } from './node-buffers.js';
import type { ModelState } from './state.js';

/** Plain data (it is posted to the worker threads). */
export interface LeafCountLayer {
  readonly id: string;
  readonly scope: readonly number[];
  readonly U: number;
  /** Levels per column. */
  readonly levels: readonly number[];
  /** Offset of the layer's block in a slot: per column, counts [L x U], rows [L], then `other` and 1 + the top level seen. */
  readonly off: number;
}
export interface LeafCountPlan {
  readonly layers: readonly LeafCountLayer[];
  /** Words per slot. */
  readonly len: number;
}

/** What backward fills (per layer id, one LevelCounts per column) when its pass runs on several threads. */
export type LeafCounts = Map<string, LevelCounts[]>;
export interface LeafCountsRequest {
  /** The rows (n x variables) of the forward pass. */
  readonly x: Float64Array;
  readonly out: LeafCounts;
}

let enabled = true;
/** Turns the threads' level counts on or off (off: the M-step's own serial pass; for A/B runs). */
export function useThreadedLeafCounts(on: boolean): void {
  enabled = on;
}

/** The layers whose counts the threads can take, or undefined when none (or the fast path is off). */
export function leafCountPlan(state: ModelState): LeafCountPlan | undefined {
  if (!enabled || !discreteFastPathOn()) return undefined;
  const layers: LeafCountLayer[] = [];
  let len = 0;
  for (const node of state.nodes) {
    if (node.kind !== 'input') continue;
    const layer = state.layers.get(node.id);
    const fl = layer?.family.finiteLevels;
    if (!layer || !layer.family.levelCounted || !fl) continue;
    const levels = node.scope.map((_, j) => fl(layer.ctx, j));
    layers.push({ id: node.id, scope: [...node.scope], U: node.units, levels, off: len });
    for (const L of levels) len += L * node.units + L + 2;
  }
  return layers.length ? { layers, len } : undefined;
}

/**
 * Counts rows [0, n) of x (n x v rows) into out[0, plan.len) (overwritten): per level,
 * sum of flow * rowWeight (the M-step's responsibility, the same product) and the row count.
 */
export function accumulateLeafCounts(plan: LeafCountPlan, x: Float64Array, v: number, n: number, flows: NodeValues, rw: Float64Array | undefined, out: Float64Array): void {
  out.fill(0, 0, plan.len);
  for (const ly of plan.layers) {
    const f = flows.get(ly.id)!;
    const U = ly.U;
    let o = ly.off;
    for (let j = 0; j < ly.levels.length; j++) {
      const L = ly.levels[j]!;
      const col = ly.scope[j]!;
      const R = o + L * U;
      const F = R + L;
      let other = 0;
      let top = 0;
      for (let i = 0; i < n; i++) {
        const val = x[i * v + col]!;
        if (Number.isNaN(val)) continue;
        if (!(val >= 0 && val < L && Number.isInteger(val))) {
          other = 1;
          continue;
        }
        const c = val | 0;
        const b = o + c * U;
        const fo = i * U;
        if (rw) {
          const w = rw[i]!;
          for (let u = 0; u < U; u++) out[b + u] += f[fo + u]! * w;
        } else for (let u = 0; u < U; u++) out[b + u] += f[fo + u]!;
        out[R + c]++;
        if (c >= top) top = c + 1;
      }
      out[F] = other;
      out[F + 1] = top;
      o = F + 2;
    }
  }
}

/** Adds T slots (slot t at t * plan.len) in slot order into `out`; a layer with a column outside its levels is left out. */
export function mergeLeafCounts(plan: LeafCountPlan, slots: Float64Array, T: number, out: LeafCounts): void {
  for (const ly of plan.layers) {
    const U = ly.U;
    const cols: LevelCounts[] = [];
    let o = ly.off;
    let ok = true;
    for (const L of ly.levels) {
      const counts = new Float64Array(L * U);
      const rows = new Float64Array(L);
      const R = o + L * U;
      const F = R + L;
      let top = 0;
      for (let t = 0; t < T; t++) {
        const s = t * plan.len;
        for (let k = 0; k < L * U; k++) counts[k] += slots[s + o + k]!;
        for (let l = 0; l < L; l++) rows[l] += slots[s + R + l]!;
        if (slots[s + F] !== 0) ok = false;
        top = Math.max(top, slots[s + F + 1]!);
      }
      cols.push({ codes: new Int32Array(0), L: top, other: false, counts, rows });
      o = F + 2;
    }
    if (ok) out.set(ly.id, cols);
  }
}
