// A KDE's graph after its fit: the training points ('kde.points', n x d), their normalized
// weights ('kde.weights', only when weighted), the bandwidth matrix over the real columns
// ('kde.bandwidth', dr x dr) and the categorical smoothing ('kde.lambda') are fixed
// parameters of the one family node; its options keep the kernel and settings. The Kde the
// numerical core uses is rebuilt from them once per state (cached), and an artifact's graph is
// checked field by field before it is used.
import type { FamilyNode, IRGraph, IRParam, IRVariable } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import type { GraphFail } from '../../runtime/family.js';
import type { ModelState } from '../../runtime/state.js';
import { isKernelName, KERNEL_NAMES } from './kernels.js';
import { cholesky } from './linalg.js';
import type { Kde, KdeColumn } from './model.js';
import { KDE_NAME, type KdeOptions } from './lower.js';

export const P = { points: 'kde.points', weights: 'kde.weights', bandwidth: 'kde.bandwidth', lambda: 'kde.lambda' } as const;

export function kdeNode(graph: IRGraph): FamilyNode {
  const n = graph.nodes.find((x): x is FamilyNode => x.kind === 'family' && x.family === KDE_NAME);
  if (!n) throw new PmixError('kde: the graph has no kde node', 'bad-artifact');
  return n;
}

export function kdeColumns(vars: readonly IRVariable[]): KdeColumn[] {
  return vars.map((v) =>
    v.type.kind === 'categorical' ? { name: v.name, type: 'categorical', levels: v.type.levels.length } : v.type.kind === 'bool' ? { name: v.name, type: 'categorical', levels: 2 } : { name: v.name, type: 'real' },
  );
}

/** Whether the fit has stored its points (a lowered, unfitted KDE has none). */
export const isFitted = (graph: IRGraph): boolean => kdeNode(graph).params.points !== undefined;

/** The graph of a fitted KDE. */
export function fittedGraph(graph: IRGraph, kde: Kde, extra: KdeOptions): IRGraph {
  const node = kdeNode(graph);
  const param = (name: string, shape: number[], value: ArrayLike<number>): IRParam => ({ name, shape, param: { kind: 'identity' }, value: Array.from(value), fixed: true, init: 'given' });
  const dr = kde.real.length;
  const params: Record<string, IRParam> = {
    [P.points]: param(P.points, [kde.n, kde.d], kde.x),
    [P.bandwidth]: param(P.bandwidth, [dr, dr], kde.H),
  };
  const roles: Record<string, string> = { points: P.points, bandwidth: P.bandwidth };
  if (kde.w) {
    params[P.weights] = param(P.weights, [kde.n], kde.w);
    roles.weights = P.weights;
  }
  if (kde.cat.length) {
    params[P.lambda] = param(P.lambda, [kde.cat.length], kde.lambda);
    roles.lambda = P.lambda;
  }
  const options = { ...node.options, kernel: kde.kernel, form: kde.form, bandwidth_label: kde.bandwidthLabel, ...extra };
  const fitted: FamilyNode = { ...node, params: roles, options };
  return { ...graph, params, nodes: graph.nodes.map((n) => (n === node ? fitted : n)) };
}

const cache = new WeakMap<ModelState, Kde>();

/** The Kde of a fitted state (built once per state: the core caches its plans and trees per Kde). */
export function kdeOf(state: ModelState): Kde {
  let k = cache.get(state);
  if (k) return k;
  const node = kdeNode(state.graph);
  if (!node.params.points) throw new PmixError(`kde: the model is not fitted yet: fit it on data first (a KDE is its data)`, 'not-fitted');
  const columns = kdeColumns(state.graph.vars);
  const value = (role: string): Float64Array | undefined => (node.params[role] ? state.values.get(node.params[role]!) : undefined);
  const x = value('points')!;
  const d = columns.length;
  const real = Int32Array.from(columns.flatMap((c, j) => (c.type === 'real' ? [j] : [])));
  const cat = Int32Array.from(columns.flatMap((c, j) => (c.type === 'categorical' ? [j] : [])));
  k = {
    n: x.length / d,
    d,
    x,
    w: value('weights') ?? null,
    columns,
    kernel: node.options.kernel as Kde['kernel'],
    form: node.options.form as Kde['form'],
    real,
    cat,
    H: value('bandwidth')!,
    lambda: value('lambda') ?? new Float64Array(0),
    bandwidthLabel: String(node.options.bandwidth_label ?? ''),
  };
  cache.set(state, k);
  return k;
}

/** The checks of an artifact's kde graph: each message names the field at fault. */
export function checkKdeGraph(graph: IRGraph, fail: GraphFail): void {
  const at = `ir.nodes[${graph.nodes.findIndex((n) => n.kind === 'family')}]`;
  const node = kdeNode(graph);
  if (graph.nodes.length !== 1) fail('ir.nodes', 'a kde graph has exactly one node (the kde family node)');
  const o = node.options;
  if (typeof o.kernel !== 'string' || !isKernelName(o.kernel)) fail(`${at}.options.kernel`, `unknown kernel '${String(o.kernel)}' (kernels: ${KERNEL_NAMES.join(', ')})`);
  if (o.form !== 'radial' && o.form !== 'product') fail(`${at}.options.form`, `expected 'radial' or 'product', got '${String(o.form)}'`);
  if (o.bandwidth_free !== undefined && !(typeof o.bandwidth_free === 'number' && Number.isInteger(o.bandwidth_free) && o.bandwidth_free >= 0)) fail(`${at}.options.bandwidth_free`, 'expected a whole number >= 0 (the bandwidth values chosen from the data)');
  for (const k of ['atol', 'rtol', 'tree_above']) if (o[k] !== undefined && !(typeof o[k] === 'number' && (o[k] as number) >= 0)) fail(`${at}.options.${k}`, 'expected a number >= 0');
  if (node.scope.length !== graph.vars.length || node.scope.some((v, i) => v !== i)) fail(`${at}.scope`, 'a kde node covers every variable, in order');
  const roles = Object.keys(node.params);
  for (const r of roles) if (!['points', 'weights', 'bandwidth', 'lambda'].includes(r)) fail(`${at}.params.${r}`, "not a kde parameter (points, weights, bandwidth, lambda)");
  if (!node.params.points) {
    if (roles.length) fail(`${at}.params.points`, 'missing (a fitted kde stores its training points)');
    return;
  }
  const columns = kdeColumns(graph.vars);
  const d = columns.length;
  const dr = columns.filter((c) => c.type === 'real').length;
  const dc = d - dr;
  const param = (role: string): IRParam => {
    const name = node.params[role];
    const p = name === undefined ? undefined : graph.params[name];
    if (!p) return fail(`${at}.params.${role}`, `missing (expected a parameter)`);
    return p;
  };
  const field = (p: IRParam): string => `ir.params['${p.name}']`;
  const finite = (p: IRParam): void => {
    const i = p.value.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) fail(`${field(p)}.value[${i}]`, `${p.value[i]} is not a finite number`);
  };
  const pts = param('points');
  if (pts.shape.length !== 2 || pts.shape[1] !== d || !(pts.shape[0]! >= 1) || pts.value.length !== pts.shape[0]! * d) fail(`${field(pts)}.shape`, `expected [n, ${d}] (n >= 1) matching its ${pts.value.length} values`);
  finite(pts);
  const n = pts.shape[0]!;
  columns.forEach((c, j) => {
    if (c.type !== 'categorical') return;
    for (let i = 0; i < n; i++) {
      const v = pts.value[i * d + j]!;
      if (!(Number.isInteger(v) && v >= 0 && v < c.levels!)) fail(`${field(pts)}.value[${i * d + j}]`, `row ${i + 1}, column '${c.name}': ${v} is not a level 0..${c.levels! - 1}`);
    }
  });
  const H = param('bandwidth');
  if (H.shape.length !== 2 || H.shape[0] !== dr || H.shape[1] !== dr || H.value.length !== dr * dr) fail(`${field(H)}.shape`, `expected [${dr}, ${dr}] (one row per real column)`);
  finite(H);
  for (let a = 0; a < dr; a++) for (let b = 0; b < a; b++) if (H.value[a * dr + b] !== H.value[b * dr + a]) fail(`${field(H)}.value`, `not symmetric at row ${a + 1}, column ${b + 1}`);
  if (dr && !cholesky(Float64Array.from(H.value), dr)) fail(`${field(H)}.value`, 'the bandwidth matrix is not positive definite');
  if (dr && o.form === 'product' && o.kernel !== 'gaussian') for (let a = 0; a < dr; a++) for (let b = 0; b < dr; b++) if (a !== b && H.value[a * dr + b] !== 0) fail(`${field(H)}.value`, 'a product kernel needs a diagonal bandwidth matrix');
  if (node.params.weights) {
    const w = param('weights');
    if (w.shape.length !== 1 || w.shape[0] !== n || w.value.length !== n) fail(`${field(w)}.shape`, `expected [${n}] (one weight per point)`);
    const i = w.value.findIndex((v) => !(Number.isFinite(v) && v >= 0));
    if (i >= 0) fail(`${field(w)}.value[${i}]`, `${w.value[i]} (weights are finite and >= 0)`);
    const s = w.value.reduce((a, b) => a + b, 0);
    if (!(Math.abs(s - 1) < 1e-9)) fail(`${field(w)}.value`, `the weights sum to ${s}, not 1`);
  }
  if (dc || node.params.lambda) {
    const l = param('lambda');
    if (l.shape.length !== 1 || l.shape[0] !== dc || l.value.length !== dc) fail(`${field(l)}.shape`, `expected [${dc}] (one per categorical column)`);
    const i = l.value.findIndex((v) => !(Number.isFinite(v) && v >= 0 && v <= 1));
    if (i >= 0) fail(`${field(l)}.value[${i}]`, `${l.value[i]} (lambda is in [0, 1])`);
  }
}
