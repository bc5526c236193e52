// A KDE as a part of a mixture or a product: `mixture(k = 2) of kde()`, `product { kde() over
// [x, y], Normal over z }`. One family node of `units` KDEs over the fit's rows: the points
// (n x d, the rows over the node's scope) are shared, each unit has its own weights over them
// (EM's responsibilities), its bandwidth matrix (its rule on those weights: weighted effective
// n and weighted covariance, as scipy's gaussian_kde with weights) and its categorical lambda.
// EM's M-step proposes that responsibility-weighted KDE and keeps it only when it does not
// lower the unit's expected log-likelihood (a generalized M-step), so EM never lowers the
// likelihood (docs/kde.md).
import type { ComponentRequest } from '../../compiler/lower.js';
import type { FamilyNode, IRGraph, IRParam } from '../../ir/types.js';
import type { Diagnostic } from '../../language/index.js';
import { PmixError } from '../../runtime/errors.js';
import type { FamilyNodeHooks } from '../../runtime/family-nodes.js';
import type { ModelState } from '../../runtime/state.js';
import { logDensity } from './direct.js';
import { kdeColumns } from './fitted-graph.js';
import { isKernelName, KERNEL_NAMES } from './kernels.js';
import { cholesky } from './linalg.js';
import { KDE_NAME, lowerKde } from './lower.js';
import { createKde, type BandwidthSpec, type Kde } from './model.js';
import { conditional, moments, sample } from './queries.js';

/** The most fit rows a KDE part stores: EM evaluates every unit at every row against every row (n^2 k per iteration). */
export const COMPONENT_MAX_ROWS = 20_000;
/** The fractions of the way to the responsibility-weighted KDE an M-step tries, in order. */
const STEPS = [1, 0.5, 0.25, 0.125, 0.0625, 0.03125];
/** kde(...) arguments that only a standalone KDE takes. */
const STANDALONE_ONLY = ['max_points', 'seed', 'tree_above', 'atol', 'rtol'];

const role = (id: string, r: string): string => `${id}.${r}`;

export function lowerKdeComponent(req: ComponentRequest): { node?: FamilyNode; params?: readonly IRParam[]; diagnostics: Diagnostic[] } {
  const { graph, diagnostics } = lowerKde(req.program, req.expr, req.vars);
  if (!graph) return { diagnostics };
  const err = (message: string, span = req.expr.span, hint?: string): { diagnostics: Diagnostic[] } => ({ diagnostics: [...diagnostics, { severity: 'error', code: 'unsupported', message, span, file: req.program.file, ...(hint ? { hint } : {}) }] });
  const options = { ...(graph.nodes[0] as FamilyNode).options };
  for (const a of req.expr.args) {
    if (STANDALONE_ONLY.includes(a.name.name)) return err(`kde's '${a.name.name}' is for a KDE that stands alone; a kde part of a mixture or product stores every fit row and evaluates by the direct sum`, a.name.span);
    if (a.name.name === 'bandwidth' && options.bandwidth === 'cv')
      return err('a kde part of a mixture or product takes a rule (scott, silverman, normal_reference) or a written bandwidth, not cv(...): EM re-applies the rule to each component\'s weights at every step', a.span, 'bandwidth = scott');
  }
  const d = req.scope.length;
  const columns = kdeColumns(req.vars);
  const dr = columns.filter((c) => c.type === 'real').length;
  const dc = d - dr;
  const n = req.data?.n ?? 0;
  if (n > COMPONENT_MAX_ROWS) return err(`a kde part stores every fit row, and ${n} rows is over its limit of ${COMPONENT_MAX_ROWS} (EM costs rows^2 x k per iteration)`, req.expr.span, 'fit a standalone kde(max_points = ...) or fit on a sample');
  if (req.data) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++)
        if (!Number.isFinite(req.data.x[i * d + j]!)) return err(`data row ${i + 1}, column '${columns[j]!.name}': ${Number.isNaN(req.data.x[i * d + j]!) ? 'missing' : req.data.x[i * d + j]} (a kde part is its data: rows with missing cells are refused)`);
  }
  const bw = options.bandwidth;
  options.bandwidth_free = bw === 'scott' || bw === 'silverman' ? 1 : bw === 'normal_reference' ? dr : 0;
  const U = req.units;
  const param = (r: string, shape: number[], value: number[]): IRParam => ({ name: role(req.id, r), shape, param: { kind: 'identity' }, value, fixed: true, init: 'data' });
  const eye = Array.from({ length: dr * dr }, (_, i) => (i % (dr + 1) === 0 ? 1 : 0));
  const params: IRParam[] = [
    param('points', [n, d], req.data ? Array.from(req.data.x) : []),
    param('weights', [U, n], new Array<number>(U * n).fill(n ? 1 / n : 0)),
    param('bandwidth', [U, dr, dr], Array.from({ length: U }, () => eye).flat()),
  ];
  const roles: Record<string, string> = { points: role(req.id, 'points'), weights: role(req.id, 'weights'), bandwidth: role(req.id, 'bandwidth') };
  if (dc) {
    params.push(param('lambda', [U, dc], new Array<number>(U * dc).fill(0.5)));
    roles.lambda = role(req.id, 'lambda');
  }
  const node: FamilyNode = { id: req.id, kind: 'family', family: KDE_NAME, scope: [...req.scope], units: U, params: roles, options, source: { line: req.expr.span.startLine, column: req.expr.span.startColumn } };
  return { node, params, diagnostics };
}

/** Unit u of a KDE part as the numerical core's Kde (views into the state's values). */
export function unitKde(state: ModelState, node: FamilyNode, u: number): Kde {
  const columns = kdeColumns(node.scope.map((i) => state.graph.vars[i]!));
  const d = columns.length;
  const x = state.values.get(node.params.points!)!;
  const n = x.length / d;
  if (n === 0) throw new PmixError('a kde part is not fitted yet: fit the model on data first (a KDE is its data)', 'not-fitted');
  const real = Int32Array.from(columns.flatMap((c, j) => (c.type === 'real' ? [j] : [])));
  const cat = Int32Array.from(columns.flatMap((c, j) => (c.type === 'categorical' ? [j] : [])));
  const dr = real.length;
  const dc = cat.length;
  const kernel = node.options.kernel as Kde['kernel'];
  return {
    n,
    d,
    x,
    w: state.values.get(node.params.weights!)!.subarray(u * n, (u + 1) * n),
    columns,
    kernel,
    form: kernel === 'gaussian' ? 'radial' : (node.options.form as Kde['form']),
    real,
    cat,
    H: state.values.get(node.params.bandwidth!)!.subarray(u * dr * dr, (u + 1) * dr * dr),
    lambda: dc ? state.values.get(node.params.lambda!)!.subarray(u * dc, (u + 1) * dc) : new Float64Array(0),
    bandwidthLabel: String(node.options.bandwidth),
  };
}

/** The KDE of the points with weights r and the node's bandwidth rule (a rule on the weighted rows; a written one as is). */
function weightedKde(state: ModelState, node: FamilyNode, r: Float64Array): Kde {
  const base = unitKde(state, node, 0);
  const bw = node.options.bandwidth as BandwidthSpec;
  return createKde({ data: base.x, d: base.d, columns: base.columns, kernel: base.kernel, form: node.options.form as Kde['form'], bandwidth: bw, weights: r });
}

/** Writes a KDE's weights, H and lambda into unit u of the node. */
function store(state: ModelState, node: FamilyNode, u: number, k: Kde): void {
  const dst = unitKde(state, node, u);
  (dst.w as Float64Array).set(k.w ?? new Float64Array(k.n).fill(1 / k.n));
  (dst.H as Float64Array).set(k.H);
  (dst.lambda as Float64Array).set(k.lambda);
}

function column(resp: Float64Array, n: number, U: number, u: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => resp[i * U + u]!);
}

export const kdeComponent: FamilyNodeHooks = {
  logDensity(state, node, xs, n, out) {
    const U = node.units;
    for (let u = 0; u < U; u++) {
      const lp = logDensity(unitKde(state, node, u), xs.subarray(0, n * node.scope.length));
      for (let i = 0; i < n; i++) out[i * U + u] = lp[i]!;
    }
  },
  init(state, node, _xs, n, resp) {
    for (let u = 0; u < node.units; u++) {
      const r = column(resp, n, node.units, u);
      let k: Kde;
      try {
        k = weightedKde(state, node, r.some((v) => v > 0) ? r : r.fill(1));
      } catch (e) {
        // a cluster too small for its rule (a singular weighted covariance): start from every row
        if (!(e instanceof PmixError)) throw e;
        k = weightedKde(state, node, r.fill(1));
      }
      store(state, node, u, k);
    }
  },
  refitWeighted(state, node, xs, n, resp, current) {
    const U = node.units;
    for (let u = 0; u < U; u++) {
      const r = column(resp, n, U, u);
      let sr = 0;
      for (const v of r) sr += v;
      if (!(sr > 0)) continue;
      let before = 0;
      for (let i = 0; i < n; i++) if (r[i]! > 0) before += r[i]! * current[i * U + u]!;
      // A generalized M-step: move the unit's weights toward the responsibility-weighted KDE
      // (the full step first, then halved), its bandwidth by the rule on the weights reached,
      // and keep the first step that does not lower this unit's part of EM's objective.
      const old = Float64Array.from(unitKde(state, node, u).w!);
      for (const t of STEPS) {
        const w = Float64Array.from(old, (v, i) => (1 - t) * v + (t * r[i]!) / sr);
        let k: Kde;
        try {
          k = weightedKde(state, node, w);
        } catch (e) {
          if (e instanceof PmixError) continue; // the rule is undefined on these weights (a singular covariance)
          throw e;
        }
        const lp = logDensity(k, xs.subarray(0, n * node.scope.length));
        let after = 0;
        for (let i = 0; i < n; i++) if (r[i]! > 0) after += r[i]! * lp[i]!;
        if (after >= before || Number.isNaN(before)) {
          store(state, node, u, k);
          break;
        }
      }
    }
  },
  moments(state, node, unit, local) {
    let k = unitKde(state, node, unit);
    const given = new Map<number, number>();
    local.forEach((v, j) => !Number.isNaN(v) && given.set(j, v));
    const free = node.scope.map((_, j) => j).filter((j) => !given.has(j));
    const mean = new Float64Array(node.scope.length).fill(NaN);
    const variance = new Float64Array(node.scope.length).fill(NaN);
    if (!free.length) return { mean, variance };
    if (given.size) k = conditional(k, given);
    const m = moments(k);
    free.forEach((j, r) => {
      mean[j] = m.mean[r]!;
      variance[j] = m.variance[r]!;
    });
    return { mean, variance };
  },
  sample(state, node, unit, local, rng, out) {
    let k = unitKde(state, node, unit);
    const given = new Map<number, number>();
    local.forEach((v, j) => !Number.isNaN(v) && given.set(j, v));
    const free = node.scope.map((_, j) => j).filter((j) => !given.has(j));
    out.fill(NaN);
    if (!free.length) return;
    if (given.size) k = conditional(k, given);
    const s = sample(k, 1, rng.int(0x7fffffff));
    free.forEach((j, r) => (out[j] = s[r]!));
  },
  freeParameters: (_state, node) => (typeof node.options.bandwidth_free === 'number' ? node.options.bandwidth_free : 0) * node.units,
  checkNode(graph: IRGraph, node, at, fail) {
    const o = node.options;
    if (typeof o.kernel !== 'string' || !isKernelName(o.kernel)) fail(`${at}.options.kernel`, `unknown kernel '${String(o.kernel)}' (kernels: ${KERNEL_NAMES.join(', ')})`);
    if (o.form !== 'radial' && o.form !== 'product') fail(`${at}.options.form`, `expected 'radial' or 'product', got '${String(o.form)}'`);
    const columns = kdeColumns(node.scope.map((i) => graph.vars[i]!));
    const d = columns.length;
    const dr = columns.filter((c) => c.type === 'real').length;
    const dc = d - dr;
    const U = node.units;
    const get = (r: string, required: boolean): IRParam | undefined => {
      const name = node.params[r];
      const p = name === undefined ? undefined : graph.params[name];
      if (!p && required) fail(`${at}.params.${r}`, 'missing (a kde part has points, weights and bandwidth)');
      return p;
    };
    const pts = get('points', true)!;
    const n = pts.shape[0] ?? 0;
    const shape = (p: IRParam, want: number[]): void => {
      if (p.shape.length !== want.length || p.shape.some((s, i) => s !== want[i]) || p.value.length !== want.reduce((a, b) => a * b, 1)) fail(`ir.params['${p.name}'].shape`, `expected [${want.join(', ')}] matching its values`);
      const i = p.value.findIndex((v) => !Number.isFinite(v));
      if (i >= 0) fail(`ir.params['${p.name}'].value[${i}]`, `${p.value[i]} is not a finite number`);
    };
    shape(pts, [n, d]);
    const w = get('weights', true)!;
    shape(w, [U, n]);
    const H = get('bandwidth', true)!;
    shape(H, [U, dr, dr]);
    if (n === 0) return;
    for (let u = 0; u < U; u++) {
      const wu = w.value.slice(u * n, (u + 1) * n);
      const bad = wu.findIndex((v) => !(v >= 0));
      if (bad >= 0) fail(`ir.params['${w.name}'].value[${u * n + bad}]`, `${wu[bad]} (weights are >= 0)`);
      const s = wu.reduce((a, b) => a + b, 0);
      if (!(Math.abs(s - 1) < 1e-9)) fail(`ir.params['${w.name}'].value`, `the weights of component ${u + 1} sum to ${s}, not 1`);
      if (dr && !cholesky(Float64Array.from(H.value.slice(u * dr * dr, (u + 1) * dr * dr)), dr)) fail(`ir.params['${H.name}'].value`, `the bandwidth matrix of component ${u + 1} is not positive definite`);
    }
    if (dc) {
      const l = get('lambda', true)!;
      shape(l, [U, dc]);
      const i = l.value.findIndex((v) => !(v >= 0 && v <= 1));
      if (i >= 0) fail(`ir.params['${l.name}'].value[${i}]`, `${l.value[i]} (lambda is in [0, 1])`);
    }
  },
};
