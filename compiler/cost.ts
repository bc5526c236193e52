// What a model costs to fit, estimated from its IR before anything is allocated: the
// parameters (with the working copies a learner keeps) and the bytes per data row of the
// node values, flows and buffers that the forward/backward passes and the learners allocate.
// Lowering refuses models whose parameter arrays alone would be absurd (MAX_PARAMETER_VALUES).
import type { IRGraph } from '../ir/types.js';

/** Lowering refuses a model with more parameter values than this (2^24, 128 MiB as float64). */
export const MAX_PARAMETER_VALUES = 2 ** 24;

const F64 = 8;

export interface CostEstimate {
  /** Scalar parameter values stored (fixed ones included). */
  readonly parameters: number;
  /** Bytes of the parameters and the copies a fit keeps (restart bests, optimizer moments). */
  readonly parameterBytes: number;
  /** Bytes allocated per data row by one fit iteration (values, flows, responsibilities). */
  readonly bytesPerRow: number;
  /** Floating-point operations of one forward pass per row (multiply-adds count 2, exp/log 1). */
  readonly flopsPerRow: number;
}

/**
 * The estimate for fitting `graph` by `method`. Per row: the data row and the model's
 * columns (2V + 1 with the weight), each input layer's gathered columns (twice: cached and
 * per pass), every node's values, flows and initial assignments (3 per unit), the largest
 * mixing split of the initialization and the largest responsibility matrix of an M-step.
 */
export function estimateCost(graph: IRGraph, method: 'em' | 'adam' = 'em'): CostEstimate {
  let parameters = 0;
  for (const p of Object.values(graph.params)) parameters += p.value.length;
  let perRow = 2 * graph.vars.length + 1;
  let maxSplit = 0;
  let maxResp = 0;
  let flops = 0;
  const unitsOf = new Map(graph.nodes.map((n) => [n.id, n.units]));
  for (const n of graph.nodes) {
    perRow += 3 * n.units;
    flops += nodeFlops(n, unitsOf);
    if (n.kind === 'input') {
      perRow += 2 * n.scope.length;
      maxResp = Math.max(maxResp, n.units + n.scope.length);
    } else if (n.kind === 'mixing') maxSplit = Math.max(maxSplit, n.units * n.arity);
  }
  perRow += maxSplit + maxResp;
  // Stored values, the IR copy, the best restart, a clone per restart, factorization scratch;
  // Adam adds the unconstrained copy, two moments and the gradient.
  const copies = method === 'adam' ? 9 : 5;
  return { parameters, parameterBytes: parameters * F64 * copies, bytesPerRow: perRow * F64, flopsPerRow: flops };
}

function nodeFlops(n: IRGraph['nodes'][number], unitsOf: Map<string, number>): number {
  const inputs = 'children' in n ? n.children.reduce((s, c) => s + (unitsOf.get(c) ?? 0), 0) : 0;
  switch (n.kind) {
    case 'input': {
      // A leaf log-density: a few operations per variable (a full Normal: a d x d solve).
      const d = n.scope.length;
      return n.units * (n.variant === 'full' || n.variant === 'tied' ? d * d + 4 * d : 4 * d);
    }
    case 'sum':
      // exp once per input, a multiply-add per edge, a log per unit.
      return inputs + 2 * n.units * inputs + n.units;
    case 'mixing':
      return 2 * n.units * n.arity + inputs + n.units;
    case 'product':
      return n.mode === 'hadamard' ? n.units * n.children.length : n.units * (n.children.length - 1);
    default:
      return 0;
  }
}

/** Total bytes to fit on `rows` rows. */
export function fitBytes(c: CostEstimate, rows: number): number {
  return c.parameterBytes + c.bytesPerRow * rows;
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** Parses '8GB', '512 MiB', '1e9' (bytes); undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?(?:e\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** 1536 -> '1.5 KiB'; sizes people read in messages. */
export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toPrecision(3)} ${units[i]}`;
}
