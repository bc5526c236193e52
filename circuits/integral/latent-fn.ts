// Values of a materialized neural parameter (ir/types.ts NeuralParam): its function
// evaluated at every row of its quadrature grid, plus the rows' log quadrature weights, mapped
// to the parameter's natural space; and the reverse pass that carries a gradient w.r.t. those
// values back to the function's own parameters (net layers or a constant). Functions that
// share their hidden layers (functional sharing) compute them once per grid: TrunkCache.
import type { IRParam, NeuralParam } from '../../ir/types.js';
import { denseBackward, denseForward, type DenseLayerValues, type DenseTrace, type DenseKernels } from '../../stdlib/nets/dense-net.js';

export type ValueSource = (name: string) => Float64Array;
export type GradSink = (name: string) => Float64Array;

type GridInputs = { readonly x: Float64Array; readonly rows: number; readonly logW: Float64Array; readonly key: string };

/** Per parameterization object (IR values are immutable): the grid is built once, not per step. */
const grids = new WeakMap<NeuralParam, GridInputs>();

/** The net inputs of a grid ([rows, latents], each latent as (z - center) / radius) and each row's summed log weight. */
export function gridInputs(p: NeuralParam): GridInputs {
  let g = grids.get(p);
  if (!g) grids.set(p, (g = buildGrid(p)));
  return g;
}

function buildGrid(p: NeuralParam): GridInputs {
  const grid = p.grid ?? [];
  const L = grid.length;
  const rows = grid.reduce((r, g) => r * g.points.length, 1);
  const x = new Float64Array(rows * L);
  const logW = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let rest = r;
    for (let l = L - 1; l >= 0; l--) {
      const g = grid[l]!;
      const k = rest % g.points.length;
      rest = (rest - k) / g.points.length;
      const lat = p.latents[l]!;
      x[r * L + l] = (g.points[k]! - lat.center) / lat.radius;
      if (g.logWeights) logW[r] += g.logWeights[k]!;
    }
  }
  const key = grid.map((g, l) => `${p.latents[l]!.center},${p.latents[l]!.radius}:${g.points.join(',')}`).join('|');
  return { x, rows, logW, key };
}

interface Trunk {
  readonly layers: readonly DenseLayerValues[];
  readonly names: readonly { w: string; b: string }[];
  readonly h: Float64Array;
  readonly trace: DenseTrace | undefined;
  readonly x: Float64Array;
  gh: Float64Array | undefined;
}

/**
 * Hidden-layer outputs shared by the functions that name the same layers on the same grid.
 * `flush` runs the trunks' reverse passes once, on the gradients their heads accumulated.
 */
export class TrunkCache {
  private readonly trunks = new Map<string, Trunk>();

  /** mm: the nets' matmul (the runtime passes its wasm SIMD kernel; absent: the JS loops). */
  constructor(readonly kernels?: DenseKernels) {}

  trunk(layers: readonly DenseLayerValues[], names: readonly { w: string; b: string }[], x: Float64Array, rows: number, gridKey: string): Trunk {
    const key = `${names.map((n) => n.w).join(',')}@${gridKey}`;
    let t = this.trunks.get(key);
    if (!t) {
      const f = layers.length ? denseForward(layers, x, rows, this.kernels) : undefined;
      t = { layers, names, h: f ? f.y : x, trace: f?.trace, x, gh: undefined };
      this.trunks.set(key, t);
    }
    return t;
  }

  flush(sink: GradSink): void {
    for (const t of this.trunks.values()) {
      if (!t.gh || !t.trace) continue;
      // The grid inputs are constants: their gradient is never read.
      denseBackward(t.layers, t.trace, t.gh, t.names.map((n) => ({ w: sink(n.w), b: sink(n.b) })), this.kernels, { inputGradient: false });
      t.gh = undefined;
    }
  }
}

function layerValues(p: NeuralParam, get: ValueSource, shapes: (name: string) => readonly number[]): { layers: DenseLayerValues[]; names: { w: string; b: string }[] } {
  if (p.fn.kind !== 'net') return { layers: [], names: [] };
  const layers = p.fn.layers.map((l) => {
    const [inputs, outputs] = shapes(l.w) as [number, number];
    return { w: get(l.w), b: get(l.b), inputs, outputs, activation: l.activation };
  });
  return { layers, names: p.fn.layers.map((l) => ({ w: l.w, b: l.b })) };
}

export interface LatentValues {
  /** Unconstrained values: the function plus the log quadrature weights. */
  readonly u: Float64Array;
  /** Natural values (what the circuit reads). */
  readonly v: Float64Array;
  /** Adds the gradient w.r.t. the function's parameters, given gv = d/dv. Trunk gradients wait for cache.flush. */
  backward(gv: Float64Array, sink: GradSink): void;
}

/** Evaluates a materialized neural parameter from the current values of its function's parameters. */
export function latentValues(param: IRParam, get: ValueSource, shapes: (name: string) => readonly number[], cache: TrunkCache): LatentValues {
  const p = param.param as NeuralParam;
  const size = param.shape.reduce((a, b) => a * b, 1);
  const { x, rows, logW, key } = gridInputs(p);
  const O = size / rows;
  if (!Number.isInteger(O)) throw new Error(`neural parameter '${param.name}': ${size} values over ${rows} grid rows`);
  const u = new Float64Array(size);
  let backFn: (gu: Float64Array, sink: GradSink) => void;
  if (p.fn.kind === 'constant') {
    const name = p.fn.param;
    const c = get(name);
    for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) u[r * O + o] = c[o]! + logW[r]!;
    backFn = (gu, sink) => {
      const g = sink(name);
      for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) g[o] += gu[r * O + o]!;
    };
  } else if (p.fn.kind === 'net') {
    const { layers, names } = layerValues(p, get, shapes);
    const trunk = cache.trunk(layers.slice(0, -1), names.slice(0, -1), x, rows, key);
    const head = layers[layers.length - 1]!;
    const headName = names[names.length - 1]!;
    const f = denseForward([head], trunk.h, rows, cache.kernels);
    for (let i = 0; i < size; i++) u[i] = f.y[i]! + logW[(i / O) | 0]!;
    backFn = (gu, sink) => {
      const gh = denseBackward([head], f.trace, gu, [{ w: sink(headName.w), b: sink(headName.b) }], cache.kernels);
      if (!trunk.trace) return;
      if (!trunk.gh) trunk.gh = new Float64Array(gh.length);
      for (let i = 0; i < gh.length; i++) trunk.gh[i] += gh[i]!;
    };
  } else throw new Error(`neural parameter '${param.name}' has a closed form: the quadrature pass materializes it`);
  const last = param.shape[param.shape.length - 1] ?? 1;
  const v = toNatural(p.output, u, last);
  return {
    u,
    v,
    backward: (gv, sink) => backFn(chainToFree(p.output, v, gv, last), sink),
  };
}

/** Natural -> free value of one entry (clamped away from the boundary), for starting values. */
export function toFreeValue(kind: NeuralParam['output'], v: number): number {
  switch (kind) {
    case 'positive':
    case 'simplex':
      return Math.log(Math.max(v, 1e-300));
    case 'unit': {
      const c = Math.min(Math.max(v, 1e-12), 1 - 1e-12);
      return Math.log(c / (1 - c));
    }
    default:
      return v;
  }
}

/** Free values -> natural (the inverse of each output kind's unconstraining map). */
export function toNatural(kind: NeuralParam['output'], u: Float64Array, last: number): Float64Array {
  const v = new Float64Array(u.length);
  switch (kind) {
    case 'identity':
      v.set(u);
      break;
    case 'positive':
      for (let i = 0; i < u.length; i++) v[i] = Math.exp(u[i]!);
      break;
    case 'unit':
      for (let i = 0; i < u.length; i++) v[i] = 1 / (1 + Math.exp(-u[i]!));
      break;
    case 'simplex':
      for (let off = 0; off < u.length; off += last) {
        let m = -Infinity;
        for (let i = 0; i < last; i++) m = Math.max(m, u[off + i]!);
        let s = 0;
        for (let i = 0; i < last; i++) s += v[off + i] = Math.exp(u[off + i]! - m);
        for (let i = 0; i < last; i++) v[off + i]! /= s;
      }
  }
  return v;
}

/** d/du from d/dv for each output kind. */
export function chainToFree(kind: NeuralParam['output'], v: Float64Array, gv: Float64Array, last: number): Float64Array {
  const g = new Float64Array(gv.length);
  switch (kind) {
    case 'identity':
      g.set(gv);
      break;
    case 'positive':
      for (let i = 0; i < g.length; i++) g[i] = gv[i]! * v[i]!;
      break;
    case 'unit':
      for (let i = 0; i < g.length; i++) g[i] = gv[i]! * v[i]! * (1 - v[i]!);
      break;
    case 'simplex':
      for (let off = 0; off < g.length; off += last) {
        let s = 0;
        for (let i = 0; i < last; i++) s += v[off + i]! * gv[off + i]!;
        for (let i = 0; i < last; i++) g[off + i] = v[off + i]! * (gv[off + i]! - s);
      }
  }
  return g;
}
