// The plan of the scaled-linear forward (runtime/evaluate-linear.ts): one step per node of the
// graph with its block of values, the sums' kernel instances, the one-variable inputs whose
// columns are coded per chunk; built once per graph. The thresholds that keep the path exact.
import type { IRGraph, SumNode } from '../../ir/types.js';
import type { ModelState } from '../state.js';
import { R, sumLinearWasm, type SumLinearWasm } from '../kernels/sum-linear-wasm.js';
import { up4 } from '../kernels/block-copy.js';

/** A row whose max (before rescaling) falls under FLAG goes to the log-space path. */
export const FLAG = 1e-100;
/** A product rescales a row whose max falls under LOW. */
export const LOW = 1e-30;
/** Rows per chunk (the tables' codes are one int per row and tabulated node). */
export const CHUNK = 8192;

/** Most sum nodes a graph may have for the linear path (each holds a kernel instance). */
const MAX_SUMS = 4096;
/** Largest weight the linear path takes (larger ones could lift an underflowed value over FLAG). */
const W_MAX = 1e100;

/**
 * A node's values as a function of one discrete code per row (this pass's): row i's values are
 * lin[codes[i] * U + u] times exp(sc[codes[i]]) (sc NaN: the row is flagged); `levels` codes.
 */
export interface Table {
  readonly codes: Int32Array;
  readonly lin: Float64Array;
  readonly sc: Float64Array;
  readonly levels: number;
}

/** A node's block: row r's unit u at out[at + r * stride + u]; its log-scale at scale[r]. */
export interface Block {
  readonly id: string;
  readonly units: number;
  readonly scale: Float64Array;
  out: Float64Array;
  at: number;
  stride: number;
  readonly isRoot: boolean;
  /** The steps that read this one. */
  readonly parents: Step[];
  /** This pass: some parent reads its block (a sum without a table, or it is the root), so a table fills it too. */
  fill: boolean;
  /** This chunk's table (inputs over one discrete column, products of tables, sums over one); undefined: the block is computed. */
  table?: Table;
}

export interface InputStep extends Block {
  readonly kind: 'input';
  readonly scope: readonly number[];
  /** The codes of its column (one-variable inputs; CHUNK rows). */
  readonly codes: Int32Array;
}
export interface ProductStep extends Block {
  readonly kind: 'product';
  readonly kids: readonly Step[];
}
export interface SumStep extends Block {
  readonly kind: 'sum';
  readonly kids: readonly Step[];
  readonly k: SumLinearWasm;
  readonly inputs: number;
  readonly weights: string;
  /** The single child writes its block into this kernel's A region. */
  fused: boolean;
}
export type Step = InputStep | ProductStep | SumStep;

export interface Plan {
  readonly steps: readonly Step[];
  /** Inputs over one variable (their columns coded per chunk) and, per such input, its column, most levels, and this chunk's level count and flags (1: missing cells, 2: not levels). */
  readonly tableInputs: readonly InputStep[];
  readonly codeInfo: { readonly cols: Int32Array; readonly caps: Int32Array; readonly levels: Int32Array; readonly flags: Uint8Array };
  readonly root: Step;
  readonly bad: Uint8Array;
}

const plans = new WeakMap<IRGraph, Plan | null>();

function buildPlan(state: ModelState): Plan | null {
  const g = state.graph;
  const root = state.node(g.root);
  if (root.units !== 1) return null;
  const parents = new Map<string, string[]>();
  for (const nd of state.nodes) {
    if (nd.kind !== 'input' && !(nd.kind === 'product' && nd.mode === 'hadamard') && nd.kind !== 'sum') return null;
    if ('children' in nd) for (const c of nd.children) (parents.get(c) ?? parents.set(c, []).get(c)!).push(nd.id);
  }
  const steps = new Map<string, Step>();
  let sums = 0;
  const own = (id: string, U: number) => ({
    id,
    units: U,
    scale: new Float64Array(R),
    out: new Float64Array(R * U),
    at: 0,
    stride: U,
    isRoot: id === g.root,
    parents: [] as Step[],
    fill: true,
  });
  for (const nd of state.nodes) {
    const U = nd.units;
    if (nd.kind === 'input') {
      steps.set(nd.id, { kind: 'input', scope: nd.scope, codes: new Int32Array(nd.scope.length === 1 ? CHUNK : 0), ...own(nd.id, U) });
    } else if (nd.kind === 'product') {
      steps.set(nd.id, { kind: 'product', kids: nd.children.map((c) => steps.get(c)!), ...own(nd.id, U) });
    } else if (nd.kind === 'sum') {
      const kids = nd.children.map((c) => steps.get(c)!);
      const I = kids.reduce((s, k) => s + k.units, 0);
      // One kernel instance (its own memory, 64 KB or more) per sum node: past MAX_SUMS, or
      // where the engine refuses another memory, the log-space forward evaluates the graph.
      if (++sums > MAX_SUMS) return null;
      let k: SumLinearWasm | null;
      try {
        k = sumLinearWasm(up4(I), up4(U));
      } catch {
        k = null;
      }
      if (!k) return null;
      const s: SumStep = { kind: 'sum', kids, k, inputs: I, weights: (nd as SumNode).weights, fused: false, ...own(nd.id, U), out: k.heap, at: k.layout.O / 8, stride: up4(U) };
      // A product read by this sum alone writes into the kernel's A region (no copy).
      const only = kids.length === 1 ? kids[0]! : undefined;
      if (only && only.kind === 'product' && only.id !== g.root && (parents.get(only.id) ?? []).length === 1) {
        only.out = k.heap;
        only.at = k.layout.A / 8;
        only.stride = up4(I);
        s.fused = true;
      }
      steps.set(nd.id, s);
    } else return null;
  }
  for (const st of steps.values()) if (st.kind !== 'input') for (const k of st.kids) k.parents.push(st);
  const tableInputs = [...steps.values()].filter((st): st is InputStep => st.kind === 'input' && st.scope.length === 1);
  const m = tableInputs.length;
  const codeInfo = {
    cols: Int32Array.from(tableInputs, (st) => st.scope[0]!),
    // At most 2^16 levels, and a table of at most 2^20 entries.
    caps: Int32Array.from(tableInputs, (st) => Math.max(2, Math.min(1 << 16, Math.floor((1 << 20) / Math.max(st.units, 1))))),
    levels: new Int32Array(m),
    flags: new Uint8Array(m),
  };
  return { steps: [...steps.values()], tableInputs, codeInfo, root: steps.get(g.root)!, bad: new Uint8Array(R) };
}

export function planFor(state: ModelState): Plan | null {
  let p = plans.get(state.graph);
  if (p === undefined) plans.set(state.graph, (p = buildPlan(state)));
  return p;
}

/** Whether the graph is one the linear path evaluates (passes may still decline on their weights). */
export function linearEligible(state: ModelState): boolean {
  return planFor(state) !== null;
}

/** Loads every sum's weights into its kernel (WT, zero-padded); false where some weight is negative, NaN or huge. */
export function loadWeights(state: ModelState, plan: Plan): boolean {
  for (const s of plan.steps) {
    if (s.kind !== 'sum') continue;
    const W = state.values.get(s.weights)!;
    const [U, I, Up] = [s.units, s.inputs, up4(s.units)];
    const h = s.k.heap;
    h.fill(0, 0, up4(I) * Up);
    for (let u = 0; u < U; u++) {
      for (let i = 0; i < I; i++) {
        const w = W[u * I + i]!;
        if (!(w >= 0 && w <= W_MAX)) return false;
        h[i * Up + u] = w;
      }
    }
  }
  return true;
}
