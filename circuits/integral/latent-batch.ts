// Every neural parameter of a circuit evaluated at once, with the output layers batched: the
// functions that share hidden layers on one grid (functional sharing) have their output
// layers side by side in one [hidden x sum of outputs] layer, so a layer of the circuit's
// 32 sum weights is one matmul of the shared hidden values (not 32 thin ones, each
// transposing the hidden values again for its gradient). The same numbers as latentValues
// (latent-fn.ts, the per-parameter reference), up to rounding. A LatentBatcher is built once per
// set of parameters (a fit) and reused every step: its groups, output-layer buffers and gradient
// buffers are allocated once (a step's garbage was ~15% of its time).
import type { IRParam, NeuralParam } from '../../ir/types.js';
import { denseBackward, denseForward, type DenseLayerValues, type DenseTrace, type DenseKernels } from '../../stdlib/nets/dense-net.js';
import { gridInputs, latentValues, TrunkCache, type GradSink, type ValueSource } from './latent-fn.js';
import { chainToFreeInto, toNaturalInPlace, type ExpInPlace, type SoftmaxInPlace } from './latent-transforms.js';

/** One parameter's place in its group's batched output layer. */
interface Member {
  readonly param: IRParam;
  readonly p: NeuralParam;
  readonly head: { readonly w: string; readonly b: string };
  /** Outputs per grid row, and the first column in the batched layer. */
  readonly outputs: number;
  readonly col: number;
  /** The simplex's length (the shape's last dimension). */
  readonly last: number;
  /** Each grid row's log quadrature weight (this parameter's: not part of the group's key). */
  readonly logW: Float64Array;
  /** Natural values, rewritten by every evaluation. */
  readonly v: Float64Array;
}

interface Run {
  readonly kind: NeuralParam['output'];
  readonly last: number;
  readonly v: Float64Array;
}

function runsOf(members: readonly Member[], all: Float64Array): Run[] {
  const runs: Run[] = [];
  let start = 0;
  let at = 0;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    at += m.v.length;
    const next = members[i + 1];
    if (!next || next.p.output !== m.p.output || next.last !== m.last) {
      runs.push({ kind: m.p.output, last: m.last, v: all.subarray(start, at) });
      start = at;
    }
  }
  return runs;
}

interface Group {
  readonly trunkNames: readonly { w: string; b: string }[];
  readonly trunkShapes: readonly { inputs: number; outputs: number; activation: DenseLayerValues['activation'] }[];
  readonly rows: number;
  readonly x: Float64Array;
  members: Member[];
  /** Consecutive members of one output kind and simplex length: each one transform call. */
  runs: readonly Run[];
  /** Every member's values back to back (members[k].v are views of it). */
  all?: Float64Array;
  readonly hidden: number;
  /** The batched output layer's weights [H x S] and bias [S], refilled by every evaluation. */
  w: Float64Array;
  b: Float64Array;
  /** Backward's d/dw and d/db of that layer (zeroed before each use). */
  gw: Float64Array;
  gb: Float64Array;
  /** Filled by the forward pass: the hidden layers and the batched output layer, one net. */
  layers?: DenseLayerValues[];
  trace?: DenseTrace;
}

export interface LatentBatch {
  /** Natural values of every evaluated parameter, by name (valid until the batcher's next evaluation). */
  readonly values: ReadonlyMap<string, Float64Array>;
  /** Adds the gradient w.r.t. the functions' parameters, given d/dv of the neural parameters (absent: 0). */
  backward(gv: ReadonlyMap<string, Float64Array>, sink: GradSink): void;
}

/** The nets' kernels, and the simplex outputs' vectorized softmax and exp. */
export interface LatentKernels extends DenseKernels {
  readonly expInPlace?: ExpInPlace;
  readonly softmaxInPlace?: SoftmaxInPlace;
}

/** Evaluates the neural parameters `params` (all materialized) from the current values of their functions' parameters. */
export function latentBatch(params: readonly IRParam[], get: ValueSource, shapes: (name: string) => readonly number[], kernels?: LatentKernels): LatentBatch {
  return new LatentBatcher(params, shapes, kernels).evaluate(get);
}

/**
 * The grouping of `params` and every buffer of their evaluation, built once. Each evaluate
 * overwrites the buffers: a LatentBatch is valid (values, backward) until the next evaluate.
 */
export class LatentBatcher {
  private readonly groups: Group[] = [];
  private readonly others: IRParam[] = [];
  private readonly values = new Map<string, Float64Array>();
  /** Backward's buffers: the batched d/dy [rows x S] (the largest group's size) and one member's d/du. */
  private gy = new Float64Array(0);
  private gu = new Float64Array(0);
  /** Every one-output member's d/du back to back (singleOutputsToGy). */
  private guAll = new Float64Array(0);

  constructor(params: readonly IRParam[], private readonly shapes: (name: string) => readonly number[], private readonly kernels?: LatentKernels) {
    const byKey = new Map<string, Group>();
    for (const param of params) {
      const p = param.param as NeuralParam;
      if (p.fn.kind !== 'net') {
        this.others.push(param);
        continue;
      }
      const { x, rows, logW, key } = gridInputs(p);
      const size = param.shape.reduce((a, b) => a * b, 1);
      const outputs = size / rows;
      if (!Number.isInteger(outputs)) throw new Error(`neural parameter '${param.name}': ${size} values over ${rows} grid rows`);
      const layers = p.fn.layers;
      const trunkNames = layers.slice(0, -1).map((l) => ({ w: l.w, b: l.b }));
      const gkey = `${trunkNames.map((n) => n.w).join(',')}@${key}`;
      let g = byKey.get(gkey);
      if (!g) {
        const trunkShapes = layers.slice(0, -1).map((l) => {
          const [inputs, outs] = shapes(l.w) as [number, number];
          return { inputs, outputs: outs, activation: l.activation };
        });
        const last = layers[layers.length - 1]!;
        g = { trunkNames, trunkShapes, rows, x, members: [], hidden: shapes(last.w)[0]!, runs: [], w: new Float64Array(0), b: new Float64Array(0), gw: new Float64Array(0), gb: new Float64Array(0) };
        byKey.set(gkey, g);
        this.groups.push(g);
      }
      const head = layers[layers.length - 1]!;
      const col = g.members.reduce((c, m) => c + m.outputs, 0);
      g.members.push({ param, p, head: { w: head.w, b: head.b }, outputs, col, last: param.shape[param.shape.length - 1] ?? 1, logW, v: new Float64Array(size) });
      if (size > this.gu.length) this.gu = new Float64Array(size);
    }
    for (const g of this.groups) {
      // The members' values side by side in one buffer, so runs of the same output kind transform in one call.
      const all = new Float64Array(g.members.reduce((c, m) => c + m.v.length, 0));
      let at = 0;
      g.members = g.members.map((m) => {
        const v = all.subarray(at, (at += m.v.length));
        this.values.set(m.param.name, v);
        return { ...m, v };
      });
      g.runs = runsOf(g.members, all);
      g.all = all;
      const S = g.members.reduce((c, m) => c + m.outputs, 0);
      g.w = new Float64Array(g.hidden * S);
      g.b = new Float64Array(S);
      g.gw = new Float64Array(g.hidden * S);
      g.gb = new Float64Array(S);
      if (g.rows * S > this.gy.length) this.gy = new Float64Array(g.rows * S);
    }
  }

  evaluate(get: ValueSource): LatentBatch {
    const cache = new TrunkCache(this.kernels);
    const others = this.others.map((param) => ({ param, lv: latentValues(param, get, this.shapes, cache) }));
    for (const g of this.groups) this.forwardGroup(g, get);
    for (const o of others) this.values.set(o.param.name, o.lv.v);
    return {
      values: this.values,
      backward: (gv, sink) => {
        for (const o of others) {
          const g = gv.get(o.param.name);
          if (g) o.lv.backward(g, sink);
        }
        for (const g of this.groups) this.backwardGroup(g, gv, sink);
      },
    };
  }

  private forwardGroup(g: Group, get: ValueSource): void {
    const { rows, members } = g;
    const H = g.hidden;
    // The output layers side by side: w [H x S], b [S].
    const S = g.b.length;
    const { w, b } = g;
    for (const m of members) {
      const hw = get(m.head.w);
      const hb = get(m.head.b);
      const O = m.outputs;
      for (let i = 0; i < H; i++) for (let o = 0; o < O; o++) w[i * S + m.col + o] = hw[i * O + o]!;
      for (let o = 0; o < O; o++) b[m.col + o] = hb[o]!;
    }
    // Hidden layers and output layer as one net: the hidden values stay in the net kernel's
    // memory (not copied out to JS and back in for the output layer, forward and backward).
    g.layers = g.trunkShapes.map((sh, l) => ({ w: get(g.trunkNames[l]!.w), b: get(g.trunkNames[l]!.b), ...sh }));
    g.layers.push({ w, b, inputs: H, outputs: S, activation: 'linear' });
    const f = denseForward(g.layers, g.x, rows, this.kernels);
    g.trace = f.trace;
    const y = f.y;
    // One output per member (the members' values back to back, member c at c * rows): y's
    // transpose plus each member's log weights, 8 rows at a time so y is read along its rows.
    if (S === members.length && g.all) {
      const all = g.all;
      for (let r0 = 0; r0 < rows; r0 += 8) {
        const r1 = Math.min(rows, r0 + 8);
        for (let c = 0; c < S; c++) {
          const lw = members[c]!.logW;
          const base = c * rows;
          for (let r = r0; r < r1; r++) all[base + r] = y[r * S + c]! + lw[r]!;
        }
      }
    } else {
      for (const m of members) {
        const O = m.outputs;
        const { v, logW, col } = m;
        if (O === 1) for (let r = 0; r < rows; r++) v[r] = y[r * S + col]! + logW[r]!;
        else
          for (let r = 0; r < rows; r++) {
            const lw = logW[r]!;
            const src = r * S + col;
            for (let o = 0; o < O; o++) v[r * O + o] = y[src + o]! + lw;
          }
      }
    }
    for (const run of g.runs) toNaturalInPlace(run.kind, run.v, run.v.length, run.last, this.kernels?.expInPlace, this.kernels?.softmaxInPlace);
  }

  /** One output per member: d/du member by member into a member-major buffer, then transposed into gy 8 rows at a time. */
  private singleOutputsToGy(g: Group, gv: ReadonlyMap<string, Float64Array>, gy: Float64Array): void {
    const { rows, members } = g;
    const S = members.length;
    if (this.guAll.length < S * rows) this.guAll = new Float64Array(S * rows);
    const gu = this.guAll;
    for (let c = 0; c < S; c++) {
      const m = members[c]!;
      const gm = gv.get(m.param.name);
      if (gm) chainToFreeInto(m.p.output, m.v, gm, rows, m.last, gu, 1, c * rows);
      else gu.fill(0, c * rows, (c + 1) * rows);
    }
    for (let r0 = 0; r0 < rows; r0 += 8) {
      const r1 = Math.min(rows, r0 + 8);
      for (let c = 0; c < S; c++) {
        const base = c * rows;
        for (let r = r0; r < r1; r++) gy[r * S + c] = gu[base + r]!;
      }
    }
  }

  private backwardGroup(g: Group, gv: ReadonlyMap<string, Float64Array>, sink: GradSink): void {
    const { rows, members } = g;
    const S = g.b.length;
    const H = g.hidden;
    if (!members.some((m) => gv.has(m.param.name))) return;
    const gy = this.gy.length === rows * S ? this.gy : this.gy.subarray(0, rows * S);
    const gu = this.gu;
    if (S === members.length && g.all) this.singleOutputsToGy(g, gv, gy);
    else {
      for (const m of members) {
        const gm = gv.get(m.param.name);
        const O = m.outputs;
        if (!gm) {
          for (let r = 0; r < rows; r++) gy.fill(0, r * S + m.col, r * S + m.col + O);
          continue;
        }
        const col = m.col;
        // One output per grid row: d/du straight into its column of gy.
        if (O === 1) chainToFreeInto(m.p.output, m.v, gm, m.v.length, m.last, gy, S, col);
        else {
          chainToFreeInto(m.p.output, m.v, gm, m.v.length, m.last, gu);
          for (let r = 0; r < rows; r++) {
            const dst = r * S + col;
            for (let o = 0; o < O; o++) gy[dst + o] = gu[r * O + o]!;
          }
        }
      }
    }
    const { gw, gb } = g;
    gw.fill(0);
    gb.fill(0);
    const grads = g.trunkNames.map((nm) => ({ w: sink(nm.w), b: sink(nm.b) }));
    grads.push({ w: gw, b: gb });
    denseBackward(g.layers!, g.trace!, gy, grads, this.kernels);
    for (const m of members) {
      if (!gv.has(m.param.name)) continue;
      const sw = sink(m.head.w);
      const sb = sink(m.head.b);
      const O = m.outputs;
      for (let i = 0; i < H; i++) for (let o = 0; o < O; o++) sw[i * O + o] += gw[i * S + m.col + o]!;
      for (let o = 0; o < O; o++) sb[o] += gb[m.col + o]!;
    }
  }
}
