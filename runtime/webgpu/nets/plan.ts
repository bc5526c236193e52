// The host side of the integral circuits' nets on the device: which nets run (the groups of
// circuits/integral/latent-batch.ts: functions sharing hidden layers on one grid, their output
// layers side by side in one batched layer), their weights packed as float32, and the maps
// between the device's last-layer outputs and the circuit's parameters (log quadrature weights,
// the output kind's map to natural values, and back for gradients) in float64 on the host.
// A plan is plain data (JSON-serializable), so tests send it to a browser page.
import type { IRParam, NeuralParam } from '../../../ir/types.js';
import { chainToFree, gridInputs, toNatural, type GradSink, type ValueSource } from '../../../circuits/integral/latent-fn.js';
import type { ExecGroup, ExecLayer, LayerWeights } from './exec.js';
import type { NetActivation } from './dense-wgsl.js';

export interface PlanMember {
  readonly name: string;
  readonly output: NeuralParam['output'];
  /** The parameter's last axis (a simplex normalizes over it). */
  readonly last: number;
  readonly outputs: number;
  /** First column in the group's batched output layer. */
  readonly col: number;
  readonly head: { readonly w: string; readonly b: string };
  readonly logW: readonly number[];
}

export interface PlanGroup extends ExecGroup {
  /** The IR names of each layer's weights (the last layer is the batched heads: see members). */
  readonly trunk: readonly { readonly w: string; readonly b: string }[];
  readonly members: readonly PlanMember[];
}

export interface NetPlan {
  readonly groups: readonly PlanGroup[];
  /** Neural parameters of other functions (constants): the CPU evaluates them. */
  readonly others: readonly string[];
}

const ACTIVATIONS: readonly string[] = ['tanh', 'relu', 'sin', 'linear'];

/** The materialized neural parameters of these IR parameters, grouped for the device. */
export function netPlan(params: readonly IRParam[], shapes: (name: string) => readonly number[]): NetPlan {
  const groups = new Map<string, { rows: number; x: Float64Array; trunk: ExecLayer[]; trunkNames: { w: string; b: string }[]; hidden: number; members: PlanMember[] }>();
  const others: string[] = [];
  for (const param of params) {
    const p = param.param as NeuralParam;
    if (p.kind !== 'neural' || !p.grid) continue;
    if (p.fn.kind !== 'net') {
      others.push(param.name);
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
      const trunk = layers.slice(0, -1).map((l): ExecLayer => {
        const [inputs, outs] = shapes(l.w) as [number, number];
        if (!ACTIVATIONS.includes(l.activation)) throw new Error(`neural parameter '${param.name}': activation '${l.activation}' has no device kernel`);
        return { inputs, outputs: outs, activation: l.activation as NetActivation };
      });
      groups.set(gkey, (g = { rows, x, trunk, trunkNames, hidden: shapes(layers[layers.length - 1]!.w)[0]!, members: [] }));
    }
    const head = layers[layers.length - 1]!;
    const col = g.members.reduce((c, m) => c + m.outputs, 0);
    g.members.push({ name: param.name, output: p.output, last: param.shape[param.shape.length - 1] ?? 1, outputs, col, head: { w: head.w, b: head.b }, logW: Array.from(logW) });
  }
  return {
    others,
    groups: [...groups.values()].map((g) => {
      const S = g.members.reduce((c, m) => c + m.outputs, 0);
      return {
        rows: g.rows,
        x: Array.from(g.x),
        layers: [...g.trunk, { inputs: g.hidden, outputs: S, activation: 'linear' as const }],
        trunk: g.trunkNames,
        members: g.members,
      };
    }),
  };
}

/** Every group's layer weights as float32, the heads side by side ([H x S], [S]). */
export function packWeights(plan: NetPlan, get: ValueSource): LayerWeights[][] {
  return plan.groups.map((g) => {
    const trunk = g.trunk.map((n) => ({ w: Float32Array.from(get(n.w)), b: Float32Array.from(get(n.b)) }));
    const headLayer = g.layers[g.layers.length - 1]!;
    const H = headLayer.inputs;
    const S = headLayer.outputs;
    const w = new Float32Array(H * S);
    const b = new Float32Array(S);
    for (const m of g.members) {
      const hw = get(m.head.w);
      const hb = get(m.head.b);
      for (let i = 0; i < H; i++) for (let o = 0; o < m.outputs; o++) w[i * S + m.col + o] = hw[i * m.outputs + o]!;
      for (let o = 0; o < m.outputs; o++) b[m.col + o] = hb[o]!;
    }
    return [...trunk, { w, b }];
  });
}

/** The neural parameters' natural values from each group's device outputs [rows x S] (float64 from here on). */
export function materialize(plan: NetPlan, heads: readonly ArrayLike<number>[]): Map<string, Float64Array> {
  const values = new Map<string, Float64Array>();
  plan.groups.forEach((g, gi) => {
    const y = heads[gi]!;
    const S = g.layers[g.layers.length - 1]!.outputs;
    for (const m of g.members) {
      const O = m.outputs;
      const u = new Float64Array(g.rows * O);
      for (let r = 0; r < g.rows; r++) for (let o = 0; o < O; o++) u[r * O + o] = y[r * S + m.col + o]! + m.logW[r]!;
      values.set(m.name, toNatural(m.output, u, m.last));
    }
  });
  return values;
}

/**
 * d/d(device outputs) per group from d/d(natural values) of the neural parameters (values: the
 * natural values the gradient was taken at); undefined for a group none of whose members has one.
 */
export function headGradients(plan: NetPlan, values: ReadonlyMap<string, Float64Array>, gv: ReadonlyMap<string, Float64Array>): (Float32Array | undefined)[] {
  return plan.groups.map((g) => {
    const S = g.layers[g.layers.length - 1]!.outputs;
    let gy: Float32Array | undefined;
    for (const m of g.members) {
      const gm = gv.get(m.name);
      if (!gm) continue;
      gy ??= new Float32Array(g.rows * S);
      const gu = chainToFree(m.output, values.get(m.name)!, gm, m.last);
      const O = m.outputs;
      for (let r = 0; r < g.rows; r++) for (let o = 0; o < O; o++) gy[r * S + m.col + o] = gu[r * O + o]!;
    }
    return gy;
  });
}

/** Adds the device's layer gradients into the functions' parameters (the heads split out of the batched layer). */
export function scatterGradients(plan: NetPlan, grads: readonly (readonly LayerWeights[] | undefined)[], gv: ReadonlyMap<string, Float64Array>, sink: GradSink): void {
  plan.groups.forEach((g, gi) => {
    const lg = grads[gi];
    if (!lg) return;
    g.trunk.forEach((n, l) => {
      addInto(sink(n.w), lg[l]!.w);
      addInto(sink(n.b), lg[l]!.b);
    });
    const head = lg[lg.length - 1]!;
    const headLayer = g.layers[g.layers.length - 1]!;
    const H = headLayer.inputs;
    const S = headLayer.outputs;
    for (const m of g.members) {
      if (!gv.get(m.name)) continue;
      const sw = sink(m.head.w);
      const sb = sink(m.head.b);
      for (let i = 0; i < H; i++) for (let o = 0; o < m.outputs; o++) sw[i * m.outputs + o] += head.w[i * S + m.col + o]!;
      for (let o = 0; o < m.outputs; o++) sb[o] += head.b[m.col + o]!;
    }
  });
}

function addInto(to: Float64Array, from: ArrayLike<number>): void {
  for (let i = 0; i < to.length; i++) to[i] += from[i]!;
}
