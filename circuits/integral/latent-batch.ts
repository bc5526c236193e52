// Every neural parameter of a circuit evaluated at once, with the output layers batched: the
// functions that share hidden layers on one grid (functional sharing) have their output
// layers side by side in one [hidden x sum of outputs] layer, so a layer of the circuit's
// 32 sum weights is one matmul of the shared hidden values (not 32 thin ones, each
// transposing the hidden values again for its gradient). The same numbers as latentValues
// (latent-fn.ts, the per-parameter reference), up to rounding.
import type { IRParam, NeuralParam } from '../../ir/types.js';
import { denseBackward, denseForward, type DenseLayerValues, type DenseTrace, type DenseKernels } from '../../stdlib/nets/dense-net.js';
import { chainToFree, gridInputs, latentValues, toNatural, TrunkCache, type GradSink, type LatentValues, type ValueSource } from './latent-fn.js';

/** One parameter's place in its group's batched output layer. */
interface Member {
  readonly param: IRParam;
  readonly p: NeuralParam;
  readonly head: { readonly w: string; readonly b: string };
  /** Outputs per grid row, and the first column in the batched layer. */
  readonly outputs: number;
  readonly col: number;
  /** Each grid row's log quadrature weight (this parameter's: not part of the group's key). */
  readonly logW: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

interface Group {
  readonly trunkLayers: readonly DenseLayerValues[];
  readonly trunkNames: readonly { w: string; b: string }[];
  readonly rows: number;
  readonly x: Float64Array;
  readonly members: Member[];
  hidden: number;
  /** Filled by the forward pass. */
  h?: Float64Array;
  trunkTrace?: DenseTrace;
  layer?: DenseLayerValues;
  headTrace?: DenseTrace;
}

export interface LatentBatch {
  /** Natural values of every evaluated parameter, by name. */
  readonly values: ReadonlyMap<string, Float64Array>;
  /** Adds the gradient w.r.t. the functions' parameters, given d/dv of the neural parameters (absent: 0). */
  backward(gv: ReadonlyMap<string, Float64Array>, sink: GradSink): void;
}

/** Evaluates the neural parameters `params` (all materialized) from the current values of their functions' parameters. */
export function latentBatch(params: readonly IRParam[], get: ValueSource, shapes: (name: string) => readonly number[], kernels?: DenseKernels): LatentBatch {
  const groups = new Map<string, Group>();
  const others: { param: IRParam; lv: LatentValues }[] = [];
  const cache = new TrunkCache(kernels);
  for (const param of params) {
    const p = param.param as NeuralParam;
    if (p.fn.kind !== 'net') {
      others.push({ param, lv: latentValues(param, get, shapes, cache) });
      continue;
    }
    const { x, rows, logW, key } = gridInputs(p);
    const size = param.shape.reduce((a, b) => a * b, 1);
    const outputs = size / rows;
    if (!Number.isInteger(outputs)) throw new Error(`neural parameter '${param.name}': ${size} values over ${rows} grid rows`);
    const layers = p.fn.layers;
    const trunkNames = layers.slice(0, -1).map((l) => ({ w: l.w, b: l.b }));
    const gkey = `${trunkNames.map((n) => n.w).join(',')}@${key}`;
    let g = groups.get(gkey);
    if (!g) {
      const trunkLayers = layers.slice(0, -1).map((l) => {
        const [inputs, outs] = shapes(l.w) as [number, number];
        return { w: get(l.w), b: get(l.b), inputs, outputs: outs, activation: l.activation };
      });
      const last = layers[layers.length - 1]!;
      groups.set(gkey, (g = { trunkLayers, trunkNames, rows, x, members: [], hidden: shapes(last.w)[0]! }));
    }
    const head = layers[layers.length - 1]!;
    const col = g.members.reduce((c, m) => c + m.outputs, 0);
    g.members.push({ param, p, head: { w: head.w, b: head.b }, outputs, col, logW, u: new Float64Array(size), v: new Float64Array(0) });
  }
  const values = new Map<string, Float64Array>();
  for (const g of groups.values()) {
    forwardGroup(g, get, kernels);
    for (const m of g.members) values.set(m.param.name, m.v);
  }
  for (const o of others) values.set(o.param.name, o.lv.v);
  return {
    values,
    backward(gv, sink) {
      for (const o of others) {
        const g = gv.get(o.param.name);
        if (g) o.lv.backward(g, sink);
      }
      for (const g of groups.values()) backwardGroup(g, gv, sink, kernels);
    },
  };
}

function forwardGroup(g: Group, get: ValueSource, kernels: DenseKernels | undefined): void {
  const { rows, members } = g;
  const H = g.hidden;
  if (g.trunkLayers.length) {
    const f = denseForward(g.trunkLayers, g.x, rows, kernels);
    g.h = f.y;
    g.trunkTrace = f.trace;
  } else g.h = g.x;
  // The output layers side by side: w [H x S], b [S].
  const S = members.reduce((c, m) => c + m.outputs, 0);
  const w = new Float64Array(H * S);
  const b = new Float64Array(S);
  for (const m of members) {
    const hw = get(m.head.w);
    const hb = get(m.head.b);
    for (let i = 0; i < H; i++) for (let o = 0; o < m.outputs; o++) w[i * S + m.col + o] = hw[i * m.outputs + o]!;
    for (let o = 0; o < m.outputs; o++) b[m.col + o] = hb[o]!;
  }
  g.layer = { w, b, inputs: H, outputs: S, activation: 'linear' };
  const f = denseForward([g.layer], g.h, rows, kernels);
  g.headTrace = f.trace;
  const y = f.y;
  for (const m of members) {
    const O = m.outputs;
    for (let r = 0; r < rows; r++) {
      const lw = m.logW[r]!;
      for (let o = 0; o < O; o++) m.u[r * O + o] = y[r * S + m.col + o]! + lw;
    }
    m.v = toNatural(m.p.output, m.u, m.param.shape[m.param.shape.length - 1] ?? 1);
  }
}

function backwardGroup(g: Group, gv: ReadonlyMap<string, Float64Array>, sink: GradSink, kernels: DenseKernels | undefined): void {
  const { rows, members } = g;
  const S = g.layer!.outputs;
  const H = g.hidden;
  const gy = new Float64Array(rows * S);
  let any = false;
  for (const m of members) {
    const gm = gv.get(m.param.name);
    if (!gm) continue;
    any = true;
    const gu = chainToFree(m.p.output, m.v, gm, m.param.shape[m.param.shape.length - 1] ?? 1);
    const O = m.outputs;
    for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) gy[r * S + m.col + o] = gu[r * O + o]!;
  }
  if (!any) return;
  const gw = new Float64Array(H * S);
  const gb = new Float64Array(S);
  const gh = denseBackward([g.layer!], g.headTrace!, gy, [{ w: gw, b: gb }], kernels);
  for (const m of members) {
    if (!gv.get(m.param.name)) continue;
    const sw = sink(m.head.w);
    const sb = sink(m.head.b);
    const O = m.outputs;
    for (let i = 0; i < H; i++) for (let o = 0; o < O; o++) sw[i * O + o] += gw[i * S + m.col + o]!;
    for (let o = 0; o < O; o++) sb[o] += gb[m.col + o]!;
  }
  if (g.trunkTrace) denseBackward(g.trunkLayers, g.trunkTrace, gh, g.trunkNames.map((n) => ({ w: sink(n.w), b: sink(n.b) })), kernels);
}
