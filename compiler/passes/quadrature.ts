// The quadrature pass (IR -> IR): every integral unit becomes a sum over the quadrature points
// of its latents, so the result is an ordinary circuit (a QPC) whose parameters are the
// functions of the latents evaluated at the points. A node that reads latents gets one unit per
// point (per combination of points, under a Kronecker product). Closed-form functions are
// evaluated here once, as fixed parameters; nets and constants stay neural parameters with
// their grid, so learners reach them through the function (circuits/integral/latent-fn.ts).
import type { InputNode, IRGraph, IRNode, IRParam, LatentVar, NeuralParam } from '../../ir/types.js';
import { latentRule } from '../../stdlib/quadrature/index.js';
import { getDistribution } from '../../stdlib/distributions/index.js';
import { evalLatentExpr } from '../../circuits/integral/latent-expr.js';
import { latentValues, TrunkCache } from '../../circuits/integral/latent-fn.js';
import { MAX_PARAMETER_VALUES } from '../cost.js';

/** Which point counts: the training ones, the evaluation ones (eval_points, else points), or a number for every latent. */
export type PointsChoice = 'train' | 'eval' | number;

export class QuadratureError extends Error {
  constructor(
    message: string,
    readonly source?: { line: number; column: number },
  ) {
    super(message);
  }
}

export function hasIntegrals(g: IRGraph): boolean {
  return g.nodes.some((n) => n.kind === 'integral');
}

interface Grid {
  readonly points: number[];
  readonly logWeights: number[];
}

export function materializeIntegrals(g: IRGraph, choice: PointsChoice = 'train'): IRGraph {
  const latents = new Map<string, LatentVar>();
  for (const n of g.nodes) if (n.kind === 'integral') for (const l of n.latents) latents.set(l.name, l);
  const grids = new Map<string, Grid>();
  for (const [name, l] of latents) {
    const K = typeof choice === 'number' ? choice : choice === 'eval' ? (l.quadrature.evalPoints ?? l.quadrature.points) : l.quadrature.points;
    const q = latentRule(l.domain, l.quadrature.rule, K);
    grids.set(name, { points: Array.from(q.points), logWeights: Array.from(q.weights, (w) => Math.log(w)) });
  }
  const K = (name: string): number => grids.get(name)!.points.length;
  const deps = new Map<string, string[]>();
  const params: Record<string, IRParam> = {};
  const used = new Set<string>();
  const nodes: IRNode[] = [];
  const fnParams = new Set<string>();
  for (const p of Object.values(g.params)) {
    if (p.param.kind !== 'neural') continue;
    const fn = p.param.fn;
    if (fn.kind === 'net') for (const l of fn.layers) fnParams.add(l.w).add(l.b);
    if (fn.kind === 'constant') fnParams.add(fn.param);
  }
  const where = (n: IRNode): string => (n.source ? ` (line ${n.source.line})` : '');
  const fail = (n: IRNode, msg: string): never => {
    throw new QuadratureError(`${msg}${where(n)}`, n.source);
  };
  const gridOf = (names: readonly string[], weighted: ReadonlySet<string>): NeuralParam['grid'] => names.map((nm) => ({ points: grids.get(nm)!.points, ...(weighted.has(nm) ? { logWeights: grids.get(nm)!.logWeights } : {}) }));
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  // Refuse before allocating: a materialized circuit is at most as big as any model pmix takes.
  let total = 0;
  const reserve = (n: IRNode, count: number): void => {
    total += count;
    if (!(total <= MAX_PARAMETER_VALUES)) fail(n, `with these quadrature points the circuit needs more than ${MAX_PARAMETER_VALUES.toLocaleString('en-US')} parameter values; use fewer points`);
  };

  for (const n of g.nodes) {
    switch (n.kind) {
      case 'input': {
        const ps = Object.values(n.params).map((nm) => g.params[nm]!);
        const neural = ps.filter((p) => p.param.kind === 'neural');
        if (neural.length === 0) {
          deps.set(n.id, []);
          nodes.push(n);
          ps.forEach((p) => used.add(p.name));
          break;
        }
        const L = (neural[0]!.param as NeuralParam).latents.map((l) => l.name);
        if (neural.length !== ps.length || neural.some((p) => !same((p.param as NeuralParam).latents.map((l) => l.name), L))) fail(n, `the parameters of an input unit under an integral must all read the same latents`);
        const units = L.reduce((u, nm) => u * K(nm), 1);
        reserve(n, units * ps.reduce((t, p) => t + p.shape.slice(1).reduce((a, b) => a * b, 1), 0));
        deps.set(n.id, L);
        for (const p of ps) params[p.name] = materializeInputParam(n, p, L, units, gridOf(L, new Set()), grids);
        nodes.push({ ...n, units } as InputNode);
        break;
      }
      case 'product': {
        const kids = n.children.map((c) => deps.get(c)!);
        let L: string[];
        if (n.mode === 'hadamard') {
          L = kids[0]!;
          if (kids.some((k) => !same(k, L))) fail(n, `a product under an integral multiplies units that read the same latent`);
        } else L = kids.flat();
        deps.set(n.id, L);
        nodes.push({ ...n, units: L.reduce((u, nm) => u * K(nm), 1) });
        break;
      }
      case 'integral': {
        const child = deps.get(n.child)!;
        const own = n.latents.map((l) => l.name);
        if (!same(child, own)) fail(n, `an integral's child must read exactly its latents`);
        const given = n.given ? [n.given] : [];
        const units = given.reduce((u, nm) => u * K(nm), 1);
        const inner = own.reduce((u, nm) => u * K(nm), 1);
        reserve(n, units * inner);
        deps.set(n.id, given);
        const wName = n.weights ?? `${n.id}.weights`;
        if (n.weights) {
          const p = g.params[n.weights]!;
          const np = p.param as NeuralParam;
          if (!same(np.latents.map((l) => l.name), [...given, ...own])) fail(n, `an integral's weight function reads the latent above and its own latents`);
          params[wName] = { ...p, shape: [units, inner], param: { ...np, grid: gridOf([...given, ...own], new Set(own)) }, value: [] };
        } else {
          // The latents' own density: the quadrature weights, normalized.
          const row = own.reduce<number[]>((acc, nm) => acc.flatMap((a) => grids.get(nm)!.logWeights.map((lw) => a + lw)), [0]);
          const m = Math.max(...row);
          const s = row.reduce((t, x) => t + Math.exp(x - m), 0);
          const w = row.map((x) => Math.exp(x - m) / s);
          params[wName] = { name: wName, shape: [units, inner], param: { kind: 'simplex' }, value: Array.from({ length: units }, () => w).flat(), fixed: true, init: 'given', ...(n.source ? { source: n.source } : {}) };
        }
        nodes.push({ kind: 'sum', id: n.id, scope: n.scope, units, children: [n.child], weights: wName, ...(n.source ? { source: n.source } : {}) });
        break;
      }
      case 'sum':
      case 'mixing': {
        if (n.children.some((c) => (deps.get(c) ?? []).length > 0)) fail(n, `a ${n.kind} node cannot mix units that read a latent; put it outside the integral`);
        deps.set(n.id, []);
        used.add(n.weights);
        nodes.push(n);
        break;
      }
      default:
        fail(n, `a ${n.kind} node cannot be part of an integral circuit`);
    }
  }
  for (const [k, p] of Object.entries(g.params)) if (used.has(k) || fnParams.has(k)) params[k] = p;
  const out: IRGraph = { ...g, family: 'integral', nodes, params };
  checkNetCost(out);
  return fillNeuralValues(out);
}

/** One parameter of an input unit over the grid of its latents. */
function materializeInputParam(n: InputNode, p: IRParam, L: readonly string[], units: number, grid: NeuralParam['grid'], grids: ReadonlyMap<string, Grid>): IRParam {
  const np = p.param as NeuralParam;
  const shape = [units, ...p.shape.slice(1)];
  if (np.fn.kind !== 'expr') return { ...p, shape, param: { ...np, grid }, value: [] };
  // A closed form: evaluated at every point in the argument's units, then mapped to the stored role.
  const fam = getDistribution(n.dist)!;
  const role = Object.entries(n.params).find(([, nm]) => nm === p.name)![0];
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const value = new Array<number>(units * per);
  const ctx = { dims: n.scope.length, units: 1, variant: n.variant ?? '', levels: n.scope.map(() => 0) };
  for (let r = 0; r < units; r++) {
    const at: Record<string, number> = {};
    let rest = r;
    for (let l = L.length - 1; l >= 0; l--) {
      const g = grids.get(L[l]!)!;
      const k = rest % g.points.length;
      rest = (rest - k) / g.points.length;
      at[L[l]!] = g.points[k]!;
    }
    const x = evalLatentExpr(np.fn.expr, at);
    const res = fam.fromArgs({ [np.fn.arg]: x }, ctx);
    const vals = res.values[role];
    if (!Number.isFinite(x) || res.errors.length || !vals) {
      const z = Object.values(at).map((v) => v.toPrecision(4)).join(', ');
      throw new QuadratureError(`${fam.name}'s ${np.fn.arg} is ${x} at the latent value ${z}: ${res.errors[0]?.message ?? 'not a valid value'}`, p.source ?? n.source);
    }
    for (let i = 0; i < per; i++) value[r * per + i] = vals[i % vals.length]!;
  }
  return { ...p, shape, param: { kind: np.output }, value, fixed: true, init: 'given' };
}

/**
 * Refuses a materialization whose nets would hold more than MAX_PARAMETER_VALUES activations
 * (grid rows times layer widths; hidden layers shared by functions on one grid counted once):
 * many points under a wide net would exhaust memory before any parameter is too big.
 */
function checkNetCost(g: IRGraph): void {
  const seen = new Set<string>();
  let total = 0;
  for (const p of Object.values(g.params)) {
    if (p.param.kind !== 'neural' || p.param.fn.kind !== 'net' || !p.param.grid) continue;
    const rows = p.param.grid.reduce((r, gr) => r * gr.points.length, 1);
    const layers = p.param.fn.layers;
    const key = `${layers.slice(0, -1).map((l) => l.w).join(',')}@${p.param.grid.map((gr) => gr.points.length).join('x')}`;
    const width = (l: (typeof layers)[number]): number => g.params[l.w]?.shape[1] ?? 0;
    if (!seen.has(key)) {
      seen.add(key);
      total += rows * layers.slice(0, -1).reduce((t, l) => t + width(l), 0);
    }
    total += rows * width(layers[layers.length - 1]!);
    if (!(total <= MAX_PARAMETER_VALUES)) {
      throw new QuadratureError(`with these quadrature points the nets would be evaluated at more than ${MAX_PARAMETER_VALUES.toLocaleString('en-US')} values (grid points times layer widths); use fewer points or a smaller net`, p.source);
    }
  }
}

/** Computes every neural parameter's values from its function's current parameters. */
function fillNeuralValues(g: IRGraph): IRGraph {
  const cache = new TrunkCache();
  const get = (name: string): Float64Array => Float64Array.from(g.params[name]!.value);
  const shapes = (name: string): readonly number[] => g.params[name]!.shape;
  const params: Record<string, IRParam> = { ...g.params };
  for (const p of Object.values(g.params)) {
    if (p.param.kind !== 'neural' || !p.param.grid) continue;
    params[p.name] = { ...p, value: Array.from(latentValues(p, get, shapes, cache).v) };
  }
  return { ...g, params };
}
