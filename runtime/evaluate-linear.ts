// The scaled-linear inference forward of a circuit: log p(x) of every row without an exp or a
// log per unit. Each node's values in a block of rows are kept as linear values times one
// factor per row (v[r, u] = lin[r, u] * exp(scale[r])): products multiply (scales add), sums
// are a plain matmul (kernels/sum-linear-wasm.ts) followed by one rescale of the row by its
// max (one log per row and node). Inputs over one discrete column look up a linear table of
// their levels (each level's log-densities, from the family's own logDensity, divided by their
// max); a product whose children all have tables, and a one-child sum over a tabulated child,
// are tables over the children's joint codes while these are few (built per chunk of rows).
// Blocks of R rows go through the whole circuit, so node values stay in cache; a product whose
// only parent is a one-child sum writes straight into that sum's kernel memory.
// Exactness: every value is <= 1 after its node's rescale and a product rescales its row when
// the max falls under LOW, so nothing underflows unless a row's max (before rescaling) falls
// under FLAG: such rows (zero likelihood, extreme parameters) are recomputed by the log-space
// forward (the caller's `logRows`), as is every pass this path declines (false): nodes other
// than inputs, Hadamard products and sums, a root with several units, negative or huge weights,
// too many sums, no wasm SIMD.
import type { ModelState } from './state.js';
import { R } from './kernels/sum-linear-wasm.js';
import { CHUNK, loadWeights, planFor } from './linear/plan.js';
import { columnCodes, inputTable, jointTable, sumTable, tableBlock } from './linear/tables.js';
import { inputBlock, productBlock, sumBlock } from './linear/blocks.js';

export { linearEligible } from './linear/plan.js';

let tabulate = true;
/**
 * Turns the tables of products and sums (a node over discrete inputs evaluated once per joint
 * code) on or off; off, only the inputs' per-level tables remain (benches compare the two).
 */
export function useLinearTables(on: boolean): void {
  tabulate = on;
}

let lastStats = { rows: 0, flagged: 0 };
/** Rows of the last linear pass on this thread and how many of them took the log-space path (tests, benches). */
export function lastLinearStats(): { rows: number; flagged: number } {
  return lastStats;
}

/**
 * out[i] = log p(x_i) for rows 0..n-1 of x (n x vars, NaN = missing), by the scaled-linear
 * forward; rows it flags go through logRows (the log-space forward of those rows' root). False
 * (out untouched) where the path declines this graph or these weights.
 */
export function linearLogLikelihood(state: ModelState, x: Float64Array, n: number, out: Float64Array, logRows: (x: Float64Array, n: number) => Float64Array): boolean {
  const plan = planFor(state);
  if (!plan || !loadWeights(state, plan)) return false;
  const v = state.graph.vars.length;
  const { root, bad } = plan;
  const flagged: number[] = [];
  // Chunks of rows bound the tables' codes (one int per row and node); tables are rebuilt per chunk.
  for (let c0 = 0; c0 < n; c0 += CHUNK) {
    const nc = Math.min(CHUNK, n - c0);
    const xc = x.subarray(c0 * v, (c0 + nc) * v);
    columnCodes(plan, xc, nc, v);
    const { levels, flags } = plan.codeInfo;
    plan.tableInputs.forEach((s, q) => (s.table = inputTable(state, s, nc, levels[q]!, flags[q]!)));
    for (const s of plan.steps) {
      if (s.kind === 'input') {
        if (s.scope.length !== 1) s.table = undefined;
      } else if (!tabulate) s.table = undefined;
      else if (s.kind === 'product') s.table = jointTable(s, nc);
      else s.table = sumTable(state, s, nc);
    }
    // Products read their children's tables; sums without one (and the root's value) read blocks.
    for (const s of plan.steps) s.fill = !s.table || s.isRoot || s.parents.some((p) => p.kind === 'sum' && !p.table);
    for (let r0 = 0; r0 < nc; r0 += R) {
      const rows = Math.min(R, nc - r0);
      bad.fill(0);
      for (const s of plan.steps) {
        if (s.table) {
          if (s.fill) tableBlock(s, s.table, r0, rows, bad);
        } else if (s.kind === 'input') inputBlock(state, s, xc, v, r0, rows, bad);
        else if (s.kind === 'product') productBlock(s, r0, rows, bad);
        else sumBlock(s, rows, bad);
      }
      const o = c0 + r0;
      for (let r = 0; r < rows; r++) {
        if (bad[r]) flagged.push(o + r);
        else out[o + r] = Math.log(root.out[root.at + r * root.stride]!) + root.scale[r]!;
      }
    }
  }
  lastStats = { rows: n, flagged: flagged.length };
  if (flagged.length > 0) {
    const xs = new Float64Array(flagged.length * v);
    flagged.forEach((i, k) => xs.set(x.subarray(i * v, (i + 1) * v), k * v));
    const ll = logRows(xs, flagged.length);
    flagged.forEach((i, k) => (out[i] = ll[k]!));
  }
  return true;
}
