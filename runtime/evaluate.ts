// Forward (log-values of every node) and backward (flows: the posterior mass of every unit,
// i.e. the gradient of log p(x) w.r.t. each node's log-value) passes over a batch of rows.
// Float64 loops: the fused kernels of DESIGN.md's runtime section for mixtures.
import { gather, type ModelState } from './state.js';
import { registerNormalKernels } from '../stdlib/distributions/index.js';
import { useDiscreteFastPath } from '../stdlib/distributions/index.js';
import { gaussianKernels } from './kernels/gaussian-kernels.js';
import { mixtureBackward } from './kernels/mixture-kernels.js';
import { kroneckerForward, mixingForward, sumForward, type ChildInput } from './node-forward.js';
import { foldPlan, type FoldPlan } from '../circuits/fold.js';
import { foldedSumBackward, foldedSumForward } from './evaluate-folded.js';
import { buffer, getOrInit, type EdgeCounts, type NodeValues } from './node-buffers.js';
import { familyNodeHooks } from './family-nodes.js';
import { useFastSumLayer } from './kernels/sum-layer-fast.js';
import { threadedBackward, threadedForward, threadedLogLikelihood } from './evaluate-threads.js';
import { linearLogLikelihood } from './evaluate-linear.js';
export { lastLinearStats, linearEligible, useLinearTables } from './evaluate-linear.js';
import { dropKept } from './sum-kept.js';
import type { LeafCountsRequest } from './leaf-counts.js';
// The worker threads (evaluate-worker.ts) import this module: they count input layers' levels too.
export { accumulateLeafCounts, useThreadedLeafCounts } from './leaf-counts.js';
export { lastEvaluateThreads, setEvaluateThreads } from './evaluate-threads.js';
export type { EdgeCounts, NodeValues };

let fused = true;
let folding = true;

/**
 * Turns folding on or off: with it, the dense sum nodes of a circuit that share a depth and a
 * shape are evaluated as one batched op (circuits/fold.ts); off evaluates node by node.
 */
export function useFolding(on: boolean): void {
  folding = on;
}

const plans = new WeakMap<object, FoldPlan>();
function planOf(state: ModelState): FoldPlan | undefined {
  if (!folding || !state.nodes.some((nd) => nd.kind === 'sum')) return undefined;
  let p = plans.get(state.graph);
  if (!p) plans.set(state.graph, (p = foldPlan(state.graph)));
  return p;
}

/**
 * Turns the fused kernels (WebAssembly SIMD mixing nodes and Normal leaves; each declines where
 * wasm SIMD is unavailable; the wasm sum layer of folded circuits; the table/count path of
 * discrete factorized leaves) on or off; off
 * runs the reference loops they are tested against.
 */
export function useFusedKernels(on: boolean): void {
  fused = on;
  registerNormalKernels(on ? gaussianKernels : undefined);
  useDiscreteFastPath(on);
  useFastSumLayer(on);
}
useFusedKernels(true);

/** Whether the fused kernels are on (useFusedKernels). */
export function fusedKernelsOn(): boolean {
  return fused;
}

/**
 * The columns `scope` of x; x itself (no copy) when the scope is every column in order. With
 * `scratch`, the copy goes to a buffer reused by the next call (input layers read their
 * columns at once and keep nothing: no fresh array per layer and pass).
 */
function scopeData(x: Float64Array, n: number, v: number, scope: readonly number[], scratch = false): Float64Array {
  if (scope.length === v && scope.every((c, j) => c === j)) return x.length === n * v ? x : x.subarray(0, n * v);
  if (!scratch) return gather(x, n, v, scope);
  const len = n * scope.length;
  if (xsScratch.length < len) xsScratch = new Float64Array(Math.max(len, 2 * xsScratch.length));
  return gather(x, n, v, scope, xsScratch.subarray(0, len));
}
let xsScratch = new Float64Array(0);


/** Concatenated child values of a node, as [offset, values, units] per child. */
function childInputs(state: ModelState, vals: NodeValues, children: readonly string[]): ChildInput[] {
  let offset = 0;
  return children.map((c) => {
    const units = state.node(c).units;
    const r = { vals: vals.get(c)!, units, offset };
    offset += units;
    return r;
  });
}

/** Whether forwardNode writes every entry of the node's output (its reused buffer need not be zeroed). */
function overwrites(node: ModelState['nodes'][number]): boolean {
  return node.kind === 'input' || node.kind === 'family' || (node.kind === 'product' && node.mode === 'hadamard');
}

/** out[i] = 0 + a[i] + b[i] + ... over the children's values, in child order (one pass). */
function hadamardForward(kids: readonly { vals: Float64Array }[], out: Float64Array): void {
  const len = out.length;
  if (kids.length === 0) {
    out.fill(0);
    return;
  }
  const a = kids[0]!.vals;
  if (kids.length === 2) {
    const b = kids[1]!.vals;
    for (let i = 0; i < len; i++) out[i] = 0 + a[i]! + b[i]!;
    return;
  }
  if (kids.length === 4) {
    const b = kids[1]!.vals;
    const c = kids[2]!.vals;
    const d = kids[3]!.vals;
    for (let i = 0; i < len; i++) out[i] = 0 + a[i]! + b[i]! + c[i]! + d[i]!;
    return;
  }
  for (let i = 0; i < len; i++) out[i] = 0 + a[i]!;
  for (let k = 1; k < kids.length; k++) {
    const b = kids[k]!.vals;
    for (let i = 0; i < len; i++) out[i] += b[i]!;
  }
}

/**
 * x: n rows x graph.vars.length, NaN = missing (marginalized). Returns every node's
 * n x units log-values; the root's are log p(x_i). `reuse` (an earlier result the caller no
 * longer needs, e.g. the previous EM iteration's) lends its arrays to the new result.
 */
export function forward(state: ModelState, x: Float64Array, n: number, reuse?: NodeValues, keep = false): NodeValues {
  return (fused && folding && threadedForward(state, x, n, reuse, forwardRows, keep)) || forwardRows(state, x, n, reuse, keep);
}

/**
 * forward on the calling thread alone (what each thread of a split pass runs on its rows).
 * `keep`: a backward pass follows: the wasm sum layer keeps what spares it its exps (sum-kept.ts).
 */
export function forwardRows(state: ModelState, x: Float64Array, n: number, reuse?: NodeValues, keep = false): NodeValues {
  const v = state.graph.vars.length;
  const vals: NodeValues = new Map();
  const plan = planOf(state);
  if (plan) {
    for (const level of plan.levels) {
      for (const id of level.singles) {
        const node = state.node(id);
        forwardNode(state, node, x, n, v, vals, buffer(reuse, id, n * node.units, !overwrites(node)));
      }
      for (const fold of level.sums) foldedSumForward(state, fold, vals, n, reuse, keep);
    }
    return vals;
  }
  for (const node of state.nodes) forwardNode(state, node, x, n, v, vals, buffer(reuse, node.id, n * node.units, !overwrites(node)));
  return vals;
}

function forwardNode(state: ModelState, node: ModelState['nodes'][number], x: Float64Array, n: number, v: number, vals: NodeValues, out: Float64Array): void {
  {
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        const xs = scopeData(x, n, v, node.scope, true);
        layer.family.logDensity(layer.params, layer.ctx, xs, n, out);
        break;
      }
      case 'family':
        familyNodeHooks(node).logDensity(state, node, scopeData(x, n, v, node.scope), n, out);
        break;
      case 'product': {
        const kids = childInputs(state, vals, node.children);
        if (node.mode === 'hadamard') {
          hadamardForward(kids, out);
        } else {
          kroneckerForward(kids, n, node.units, out);
        }
        break;
      }
      case 'mixing':
        mixingForward(state, node, childInputs(state, vals, node.children), n, out, fused);
        break;
      case 'sum':
        sumForward(state, node, childInputs(state, vals, node.children), n, out);
        dropKept(out);
        break;
      default:
        throw new Error(`node kind '${node.kind}' is not evaluated by the mixture runtime yet`);
    }
    vals.set(node.id, out);
  }
}

/**
 * Flows: flow[node][i, u] = P(unit u of node is on the path of row i | x_i) for trees (the
 * gradient of log p(x_i) w.r.t. the unit's log-value in general). Rows whose root value is
 * -Infinity get zero flow. When `counts` is given, accumulates rowWeight * edge flow.
 * `reuse`: an earlier result of backward whose arrays the new one may take over.
 * `leaf`: where the pass runs on several threads, they also count the discrete input layers'
 * levels (leaf-counts.ts) into leaf.out, for the M-step; on one thread leaf.out stays empty.
 */
export function backward(state: ModelState, vals: NodeValues, n: number, rowWeights?: Float64Array, counts?: EdgeCounts, reuse?: NodeValues, leaf?: LeafCountsRequest): NodeValues {
  return (fused && folding && threadedBackward(state, vals, n, rowWeights, counts, reuse, backwardRows, leaf)) || backwardRows(state, vals, n, rowWeights, counts, reuse);
}

/** backward on the calling thread alone. */
export function backwardRows(state: ModelState, vals: NodeValues, n: number, rowWeights?: Float64Array, counts?: EdgeCounts, reuse?: NodeValues): NodeValues {
  const flows: NodeValues = new Map();
  const root = state.graph.root;
  // Only the root's array is zeroed here: the first parent to write a child's flow overwrites
  // it (Hadamard products, the wasm sum layer) or zeroes it first (zeroUntouched).
  for (const node of state.nodes) flows.set(node.id, buffer(reuse, node.id, n * node.units, node.id === root));
  // Nodes no parent has written a flow to yet.
  const untouched = new Set(state.nodes.map((nd) => nd.id));
  untouched.delete(root);
  const rootVals = vals.get(root)!;
  const rootFlow = flows.get(root)!;
  for (let i = 0; i < n; i++) if (Number.isFinite(rootVals[i]!)) rootFlow[i] = 1;
  const plan = planOf(state);
  if (plan) {
    for (let l = plan.levels.length - 1; l >= 0; l--) {
      const level = plan.levels[l]!;
      for (const fold of level.sums) foldedSumBackward(state, fold, vals, flows, n, rowWeights, counts, untouched);
      for (const id of level.singles) backwardNode(state, state.node(id), vals, flows, n, untouched, rowWeights, counts);
    }
  } else for (let k = state.nodes.length - 1; k >= 0; k--) backwardNode(state, state.nodes[k]!, vals, flows, n, untouched, rowWeights, counts);
  // Nodes no parent reached (not in a valid circuit; kept safe) have zero flow.
  for (const id of untouched) flows.get(id)!.fill(0);
  return flows;
}

/** Zeroes the flows of the given nodes that no parent has written yet (then a writer may add to them). */
export function zeroUntouched(flows: NodeValues, untouched: Set<string>, ids: readonly string[]): void {
  for (const c of ids) {
    if (!untouched.has(c)) continue;
    flows.get(c)!.fill(0);
    untouched.delete(c);
  }
}

function backwardNode(
  state: ModelState,
  node: ModelState['nodes'][number],
  vals: NodeValues,
  flows: NodeValues,
  n: number,
  untouched: Set<string>,
  rowWeights?: Float64Array,
  counts?: EdgeCounts,
): void {
  {
    const f = flows.get(node.id)!;
    const out = vals.get(node.id)!;
    const kidIds = 'children' in node ? node.children : [];
    const fresh = kidIds.every((c) => untouched.has(c));
    // A Hadamard product writes its children's flows itself (a copy where it is the first).
    if (!(node.kind === 'product' && node.mode === 'hadamard')) zeroUntouched(flows, untouched, kidIds);
    switch (node.kind) {
      case 'input':
      case 'family':
        break;
      case 'product': {
        if (node.mode === 'hadamard') {
          for (const c of node.children) {
            const cf = flows.get(c)!;
            if (untouched.has(c) && cf.length === f.length) {
              cf.set(f);
              untouched.delete(c);
              continue;
            }
            zeroUntouched(flows, untouched, [c]);
            for (let i = 0; i < f.length; i++) cf[i] += f[i]!;
          }
        } else {
          const kids = node.children.map((c) => ({ f: flows.get(c)!, units: state.node(c).units }));
          for (let i = 0; i < n; i++) {
            for (let u = 0; u < node.units; u++) {
              const fl = f[i * node.units + u]!;
              if (fl === 0) continue;
              let rest = u;
              for (let c = kids.length - 1; c >= 0; c--) {
                const kd = kids[c]!;
                kd.f[i * kd.units + (rest % kd.units)] += fl;
                rest = Math.floor(rest / kd.units);
              }
            }
          }
        }
        break;
      }
      case 'mixing':
      case 'sum': {
        const kids = childInputs(state, vals, node.children);
        const kidFlows = node.children.map((c) => flows.get(c)!);
        const w = state.values.get(node.weights)!;
        const U = node.units;
        const I = kids.reduce((s, kk) => s + kk.units, 0);
        const acc = counts ? getOrInit(counts, node.weights, w.length) : undefined;
        if (fused && node.kind === 'mixing' && U === 1 && kids.length === 1 && mixtureBackward(kids[0]!.vals, n, node.arity, w, out, f, rowWeights, kidFlows[0]!, fresh, acc)) break;
        const locate = (j: number): [number, number] => {
          for (let c = 0; c < kids.length; c++) if (j < kids[c]!.offset + kids[c]!.units) return [c, j - kids[c]!.offset];
          return [kids.length - 1, 0];
        };
        const loc = Array.from({ length: I }, (_, j) => locate(j));
        for (let i = 0; i < n; i++) {
          const rw = rowWeights ? rowWeights[i]! : 1;
          for (let u = 0; u < U; u++) {
            const fl = f[i * U + u]!;
            if (fl === 0) continue;
            const o = out[i * U + u]!;
            const A = node.kind === 'mixing' ? node.arity : I;
            for (let a = 0; a < A; a++) {
              const j = node.kind === 'mixing' ? a * U + u : a;
              const [c, local] = loc[j]!;
              const kd = kids[c]!;
              const wv = w[u * A + a]!;
              if (wv === 0) continue;
              const e = fl * Math.exp(Math.log(wv) + kd.vals[i * kd.units + local]! - o);
              if (!(e > 0)) continue;
              kidFlows[c]![i * kd.units + local] += e;
              if (acc) acc[u * A + a] += rw * e;
            }
          }
        }
        break;
      }
      default:
        throw new Error(`node kind '${node.kind}' is not evaluated by the mixture runtime yet`);
    }
  }
}

/** log p(x_i) for each row. */
export function logDensityRows(state: ModelState, x: Float64Array, n: number): Float64Array {
  return logLikelihood(state, x, n);
}

/**
 * log p(x_i) of every row (the root's values of `forward`; n x root units) into `out` (or a
 * fresh array). Circuits take the scaled-linear forward (evaluate-linear.ts: no exp or log per
 * unit), split over threads like forward; everything else, and every fused-kernel switch off,
 * the log-space forward.
 */
export function logLikelihood(state: ModelState, x: Float64Array, n: number, out?: Float64Array): Float64Array {
  if (fused && folding) {
    const threaded = threadedLogLikelihood(state, x, n, out, logLikelihoodRows);
    if (threaded) return threaded;
    const o = out && out.length >= n ? out : new Float64Array(n);
    if (logLikelihoodRowsInto(state, x, n, o)) return o;
  }
  const root = forward(state, x, n).get(state.graph.root)!;
  if (!out || out.length !== root.length) return root;
  out.set(root);
  return out;
}

/** The linear path on the calling thread alone; false where it declines (out untouched). */
function logLikelihoodRowsInto(state: ModelState, x: Float64Array, n: number, out: Float64Array): boolean {
  return linearLogLikelihood(state, x, n, out, (xs, m) => forwardRows(state, xs, m).get(state.graph.root)!);
}

/** logLikelihood on the calling thread alone, into out (what each thread of a split pass runs on its rows). */
export function logLikelihoodRows(state: ModelState, x: Float64Array, n: number, out: Float64Array): void {
  if (fused && folding && logLikelihoodRowsInto(state, x, n, out)) return;
  out.set(forwardRows(state, x, n).get(state.graph.root)!);
}
