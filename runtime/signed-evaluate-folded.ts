// Folded evaluation of a circuit with signed sum weights (squared circuits) in signed log
// space: the same values as signed-evaluate.ts (the reference, kept), computed layer by layer
// over all rows instead of row by row. The sub-circuit is planned once (circuits/fold.ts: nodes
// by depth, same-shape sums in folds); every sum runs the signed sum kernel over all rows
// (kernels/signed-sum.ts: WebAssembly SIMD max-shift, exp with signs, matmul, log|.| and sign),
// products add log-values and multiply signs in one pass, and nodes whose values are all
// positive (inputs, products of positive nodes) carry no sign array of their own (a shared
// array of ones). The backward pass walks the plan in reverse with the flows of
// signed-evaluate.ts, on the node arrays directly; each sum runs the kernel's backward (I + U
// exps per row: E_i = s_i exp(l_i - m), r_u = f_u s_u exp(m - l_u), then two matmuls).
import type { IRGraph, IRNode } from '../ir/types.js';
import type { LayerParams } from '../stdlib/distributions/index.js';
import { foldPlan, type FoldPlan } from '../circuits/fold.js';
import { addDenseGrad, childOffsets, denseWeights } from '../circuits/squared/view.js';
import { ones, signedSumBackward, signedSumForward } from './kernels/signed-sum.js';
import { subCircuit, type SignedValues } from './signed-evaluate.js';
import { gather, type ModelState } from './state.js';

let folded = true;

/** Turns the folded signed evaluation on or off (off: signed-evaluate.ts node by node, row by row). */
export function useFoldedSigned(on: boolean): void {
  folded = on;
}

export function foldedSignedOn(): boolean {
  return folded;
}

interface SignedPlan {
  readonly plan: FoldPlan;
  /** Evaluation order (level by level, singles then folds). */
  readonly order: readonly IRNode[];
  /** The plan's own arrays per node and role (log-values, signs, flows), grown as n grows. */
  readonly bufs: Map<string, Float64Array>;
  /** Their total length. */
  kept: number;
}

/** The most entries a plan keeps between calls (64 MiB): larger passes take fresh arrays. */
const KEEP = 1 << 23;

/**
 * The plan's array for (node, role) with len entries (zeroed when `zero`): fresh arrays per
 * call cost more in page faults and collection than the passes themselves (an Adam batch
 * reuses them every step); past KEEP entries in all, a fresh array that is not kept.
 */
function buf(p: SignedPlan, key: string, len: number, zero: boolean): Float64Array {
  let a = p.bufs.get(key);
  if (!a || a.length < len) {
    const old = a?.length ?? 0;
    if (p.kept - old + len > KEEP) return new Float64Array(len);
    p.bufs.set(key, (a = new Float64Array(len)));
    p.kept += len - old;
  }
  const out = a.length === len ? a : a.subarray(0, len);
  return zero ? out.fill(0) : out;
}

let xsScratch = new Float64Array(0);
/** The columns `scope` of x in a scratch array (leaf layers read them at once and keep nothing). */
function columns(x: Float64Array, n: number, V: number, scope: readonly number[]): Float64Array {
  const len = n * scope.length;
  if (xsScratch.length < len) xsScratch = new Float64Array(Math.max(len, 2 * xsScratch.length));
  return gather(x, n, V, scope, xsScratch.subarray(0, len));
}

const plans = new WeakMap<IRGraph, Map<string, SignedPlan>>();

function planFor(state: ModelState, root: string): SignedPlan {
  let byRoot = plans.get(state.graph);
  if (!byRoot) plans.set(state.graph, (byRoot = new Map()));
  let p = byRoot.get(root);
  if (!p) {
    const plan = foldPlan({ ...state.graph, nodes: subCircuit(state, root) });
    const order: IRNode[] = [];
    for (const level of plan.levels) {
      for (const id of level.singles) order.push(state.node(id));
      for (const fold of level.sums) for (const id of fold.nodes) order.push(state.node(id));
    }
    byRoot.set(root, (p = { plan, order, bufs: new Map(), kept: 0 }));
  }
  return p;
}

/** Unit u of a Kronecker product -> unit of child c, for every u (mixed radix, last child fastest). */
function kronMap(units: readonly number[], U: number, c: number): Int32Array {
  let stride = 1;
  for (let k = units.length - 1; k > c; k--) stride *= units[k]!;
  const m = new Int32Array(U);
  for (let u = 0; u < U; u++) m[u] = Math.floor(u / stride) % units[c]!;
  return m;
}

/** The children's (log, sign) concatenated per row as n x I (one child: its own arrays, no copy). */
function childInputs(state: ModelState, node: IRNode & { children: readonly string[] }, L: Map<string, Float64Array>, S: Map<string, Float64Array | undefined>, n: number): { l: Float64Array; s: Float64Array | undefined; I: number } {
  if (node.children.length === 1) {
    const c = node.children[0]!;
    return { l: L.get(c)!, s: S.get(c), I: state.node(c).units };
  }
  const { offsets, total: I } = childOffsets(state, node.children);
  const l = new Float64Array(n * I);
  const anySigned = node.children.some((c) => S.get(c) !== undefined);
  const s = anySigned ? new Float64Array(n * I) : undefined;
  node.children.forEach((c, ci) => {
    const cu = state.node(c).units;
    const cl = L.get(c)!;
    const cs = S.get(c);
    const o = offsets[ci]!;
    for (let i = 0; i < n; i++) {
      l.set(cl.subarray(i * cu, (i + 1) * cu), i * I + o);
      if (s) {
        if (cs) s.set(cs.subarray(i * cu, (i + 1) * cu), i * I + o);
        else s.fill(1, i * I + o, i * I + o + cu);
      }
    }
  });
  return { l, s, I };
}

/** out = sum of the children's log-values (one pass for two). */
function hadamardLogs(kids: readonly Float64Array[], out: Float64Array): void {
  const len = out.length;
  if (kids.length === 0) {
    out.fill(0);
    return;
  }
  if (kids.length === 2) {
    const a = kids[0]!;
    const b = kids[1]!;
    for (let j = 0; j < len; j++) out[j] = a[j]! + b[j]!;
    return;
  }
  out.set(kids[0]!.subarray(0, len));
  for (let c = 1; c < kids.length; c++) {
    const k = kids[c]!;
    for (let j = 0; j < len; j++) out[j] += k[j]!;
  }
}

function hadamardSigns(kids: readonly Float64Array[], out: Float64Array): void {
  const len = out.length;
  const a = kids[0]!;
  if (kids.length === 2) {
    const b = kids[1]!;
    for (let j = 0; j < len; j++) out[j] = a[j]! * b[j]!;
    return;
  }
  out.set(a.subarray(0, len));
  for (let k = 1; k < kids.length; k++) {
    const b = kids[k]!;
    for (let j = 0; j < len; j++) out[j] *= b[j]!;
  }
}

/**
 * x: n rows over all variables, complete (rows with NaN cells go through the product circuit).
 * The arrays returned are the plan's own: the next call for the same graph and root
 * overwrites them (callers use them before evaluating again, as squared-model.ts does).
 */
export function signedForwardFolded(state: ModelState, root: string, x: Float64Array, n: number): SignedValues {
  const V = state.graph.vars.length;
  const L = new Map<string, Float64Array>();
  // undefined: every unit positive (sign 1 where the log-value is finite)
  const S = new Map<string, Float64Array | undefined>();
  const plan = planFor(state, root);
  for (const node of plan.order) {
    const U = node.units;
    const l = buf(plan, `l ${node.id}`, n * U, node.kind === 'product' && node.mode !== 'hadamard');
    let s: Float64Array | undefined;
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        layer.family.logDensity(layer.params, layer.ctx, columns(x, n, V, node.scope), n, l);
        break;
      }
      case 'product': {
        const kids = node.children.map((c) => ({ l: L.get(c)!, s: S.get(c), u: state.node(c).units }));
        const signedKids = kids.filter((k) => k.s !== undefined).map((k) => k.s!);
        if (node.mode === 'hadamard') {
          hadamardLogs(kids.map((k) => k.l), l);
          // one signed child: its sign array as it is (never written after its node's step)
          if (signedKids.length === 1) s = signedKids[0]!;
          else if (signedKids.length > 1) hadamardSigns(signedKids, (s = buf(plan, `s ${node.id}`, n * U, false)));
        } else {
          if (signedKids.length) s = buf(plan, `s ${node.id}`, n * U, false).fill(1);
          const units = kids.map((k) => k.u);
          kids.forEach((k, ci) => {
            const map = kronMap(units, U, ci);
            const cu = k.u;
            for (let i = 0; i < n; i++) {
              for (let u = 0; u < U; u++) {
                l[i * U + u] += k.l[i * cu + map[u]!]!;
                if (s && k.s) s[i * U + u] *= k.s[i * cu + map[u]!]!;
              }
            }
          });
        }
        break;
      }
      case 'sum':
      case 'mixing': {
        const { W, I } = denseWeights(state, node.id);
        const inp = childInputs(state, node, L, S, n);
        s = buf(plan, `s ${node.id}`, n * U, false);
        signedSumForward(inp.l, inp.s, W, n, U, I, l, s);
        break;
      }
      default:
        throw new Error(`a squared circuit cannot contain a '${node.kind}' node under its square`);
    }
    L.set(node.id, l);
    S.set(node.id, s);
  }
  const signs = new Map<string, Float64Array>();
  for (const [id, s] of S) signs.set(id, s ?? ones(L.get(id)!.length));
  return { l: L, s: signs };
}

/**
 * The backward pass of signedForwardFolded (same contract as signedBackward): adds
 * sum_i rootFlow[i] d log|c(x_i)| / d theta to grads. vals may come from either forward.
 */
export function signedBackwardFolded(state: ModelState, root: string, vals: SignedValues, x: Float64Array, n: number, rootFlow: Float64Array, grads: Map<string, Float64Array>): void {
  const V = state.graph.vars.length;
  const plan = planFor(state, root);
  const order = plan.order;
  const F = new Map<string, Float64Array>();
  for (const nd of order) F.set(nd.id, buf(plan, `f ${nd.id}`, n * nd.units, true));
  const rl = vals.l.get(root)!;
  const rf = F.get(root)!;
  for (let i = 0; i < n; i++) rf[i] = rl[i] === -Infinity ? 0 : rootFlow[i]!;
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const f = F.get(node.id)!;
    const U = node.units;
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        const g: LayerParams = {};
        for (const [role, nm] of Object.entries(layer.names)) g[role] = grads.get(nm)!;
        layer.family.gradLogDensity(layer.params, layer.ctx, columns(x, n, V, node.scope), n, f, g);
        break;
      }
      case 'product': {
        const units = node.children.map((c) => state.node(c).units);
        node.children.forEach((c, ci) => {
          const cf = F.get(c)!;
          if (node.mode === 'hadamard') {
            for (let j = 0; j < n * U; j++) cf[j] += f[j]!;
            return;
          }
          const cu = units[ci]!;
          const map = kronMap(units, U, ci);
          for (let i = 0; i < n; i++) for (let u = 0; u < U; u++) cf[i * cu + map[u]!] += f[i * U + u]!;
        });
        break;
      }
      case 'sum':
      case 'mixing': {
        const { W, I } = denseWeights(state, node.id);
        const single = node.children.length === 1;
        const { offsets } = childOffsets(state, node.children);
        const inL = single ? vals.l.get(node.children[0]!)! : concat(state, node.children, vals.l, n, I);
        const inS = single ? vals.s.get(node.children[0]!)! : concat(state, node.children, vals.s, n, I);
        const inF = single ? F.get(node.children[0]!)! : new Float64Array(n * I);
        const gW = new Float64Array(U * I);
        signedSumBackward(inL, inS, vals.l.get(node.id)!, vals.s.get(node.id)!, f, W, n, U, I, inF, gW);
        if (!single) {
          node.children.forEach((c, ci) => {
            const cu = state.node(c).units;
            const cf = F.get(c)!;
            const o = offsets[ci]!;
            for (let i = 0; i < n; i++) for (let j = 0; j < cu; j++) cf[i * cu + j] += inF[i * I + o + j]!;
          });
        }
        addDenseGrad(state, node.id, gW, grads.get(node.weights)!);
        break;
      }
      default:
        break;
    }
  }
}

function concat(state: ModelState, children: readonly string[], m: ReadonlyMap<string, Float64Array>, n: number, I: number): Float64Array {
  const out = new Float64Array(n * I);
  let o = 0;
  for (const c of children) {
    const cu = state.node(c).units;
    const a = m.get(c)!;
    for (let i = 0; i < n; i++) out.set(a.subarray(i * cu, (i + 1) * cu), i * I + o);
    o += cu;
  }
  return out;
}
