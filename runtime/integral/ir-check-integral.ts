// Checks of the integral-circuit parts of an IR graph read from an artifact: neural
// parameters (their functions, latents, grids), integral nodes, and a trial quadrature, so a
// graph that passes can be materialized and evaluated without an exception.
import { mathFunction } from '../../stdlib/math-functions.js';
import { MAX_POINTS } from '../../stdlib/quadrature/index.js';
import type { IRGraph, IRParam, LatentExpr } from '../../ir/types.js';
import { materializeIntegrals } from '../../compiler/passes/quadrature.js';
import { paramValueProblem } from '../../compiler/param-values.js';

type Fail = (field: string, message: string) => never;

const OUTPUTS = ['identity', 'positive', 'unit', 'simplex'];
const ACTIVATIONS = ['tanh', 'relu', 'sin', 'linear'];
const RULES = ['gauss-legendre', 'trapezoid', 'midpoint', 'gauss-hermite'];
const OPS = ['num', 'latent', 'neg', '+', '-', '*', '/', '^', 'call'];
const MAX_DEPTH = 64;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkExpr(e: unknown, at: string, fail: Fail, depth = 0): void {
  if (depth > MAX_DEPTH) fail(at, `the expression nests deeper than ${MAX_DEPTH}`);
  if (!isObj(e) || typeof e.op !== 'string' || !OPS.includes(e.op)) return fail(at, 'expected an expression node');
  const x = e as unknown as LatentExpr;
  switch (x.op) {
    case 'num':
      if (!finite(x.value)) fail(`${at}.value`, 'expected a finite number');
      return;
    case 'latent':
      if (typeof x.name !== 'string') fail(`${at}.name`, 'expected a string');
      return;
    case 'neg':
      return checkExpr(x.a, `${at}.a`, fail, depth + 1);
    case 'call': {
      const fn = mathFunction(x.fn);
      if (typeof x.fn !== 'string' || !fn) fail(`${at}.fn`, `unknown function`);
      if (!Array.isArray(x.args) || x.args.length < fn!.arity[0] || x.args.length > fn!.arity[1]) fail(`${at}.args`, 'wrong number of arguments');
      x.args.forEach((a, i) => checkExpr(a, `${at}.args[${i}]`, fail, depth + 1));
      return;
    }
    default:
      checkExpr(x.a, `${at}.a`, fail, depth + 1);
      checkExpr(x.b, `${at}.b`, fail, depth + 1);
  }
}

/** A neural parameterization: its output, function and latents (the graph's parameters are known). */
export function checkNeuralParam(g: IRGraph, p: IRParam, at: string, fail: Fail): void {
  const q = p.param as unknown as Record<string, unknown>;
  if (typeof q.output !== 'string' || !OUTPUTS.includes(q.output)) fail(`${at}.output`, `expected one of ${OUTPUTS.join(', ')}`);
  if (!Array.isArray(q.latents) || q.latents.length === 0 || q.latents.length > 8) fail(`${at}.latents`, 'expected 1 to 8 latents');
  (q.latents as unknown[]).forEach((l, i) => {
    if (!isObj(l) || typeof l.name !== 'string' || !finite(l.center) || !finite(l.radius) || !(l.radius > 0)) fail(`${at}.latents[${i}]`, 'expected { name, center, radius > 0 }');
  });
  if (q.grid !== undefined) {
    if (!Array.isArray(q.grid) || q.grid.length !== (q.latents as unknown[]).length) fail(`${at}.grid`, 'expected one grid per latent');
    (q.grid as unknown[]).forEach((gr, i) => {
      if (!isObj(gr) || !Array.isArray(gr.points) || gr.points.length < 1 || gr.points.length > MAX_POINTS || !gr.points.every(finite)) fail(`${at}.grid[${i}].points`, `expected 1 to ${MAX_POINTS} finite numbers`);
      if (gr.logWeights !== undefined && (!Array.isArray(gr.logWeights) || gr.logWeights.length !== (gr.points as unknown[]).length || !gr.logWeights.every(finite))) fail(`${at}.grid[${i}].logWeights`, 'expected a finite number per point');
    });
  }
  const fn = q.fn;
  if (!isObj(fn)) return fail(`${at}.fn`, 'expected an object');
  const ref = (name: unknown, field: string): IRParam => {
    if (typeof name !== 'string' || !Object.hasOwn(g.params, name)) return fail(field, `refers to a missing parameter`);
    const r = g.params[name]!;
    if (r.param.kind !== 'identity') fail(field, `parameter '${name}' of a function must be identity`);
    return r;
  };
  if (fn.kind === 'net') {
    if (!Array.isArray(fn.layers) || fn.layers.length === 0 || fn.layers.length > 9) return fail(`${at}.fn.layers`, 'expected 1 to 9 layers');
    let width = (q.latents as unknown[]).length;
    fn.layers.forEach((l: unknown, i: number) => {
      const la = `${at}.fn.layers[${i}]`;
      if (!isObj(l) || typeof l.activation !== 'string' || !ACTIVATIONS.includes(l.activation)) fail(`${la}.activation`, `expected one of ${ACTIVATIONS.join(', ')}`);
      const w = ref((l as Record<string, unknown>).w, `${la}.w`);
      const b = ref((l as Record<string, unknown>).b, `${la}.b`);
      if (w.shape.length !== 2 || w.shape[0] !== width) fail(`${la}.w`, `expected shape [${width}, outputs]`);
      if (b.shape.length !== 1 || b.shape[0] !== w.shape[1]) fail(`${la}.b`, `expected shape [${w.shape[1]}]`);
      width = w.shape[1]!;
    });
  } else if (fn.kind === 'constant') {
    ref(fn.param, `${at}.fn.param`);
  } else if (fn.kind === 'expr') {
    if (typeof fn.arg !== 'string') fail(`${at}.fn.arg`, 'expected a string');
    checkExpr(fn.expr, `${at}.fn.expr`, fail);
  } else fail(`${at}.fn.kind`, `expected net, constant or expr`);
}

/** An integral node's own fields. */
export function checkIntegralNode(o: Record<string, unknown>, at: string, fail: Fail): void {
  if (o.units !== 1) fail(`${at}.units`, 'an integral node has 1 unit');
  if (!Array.isArray(o.latents) || o.latents.length === 0 || o.latents.length > 8) fail(`${at}.latents`, 'expected 1 to 8 latents');
  (o.latents as unknown[]).forEach((l, i) => {
    const la = `${at}.latents[${i}]`;
    if (!isObj(l) || typeof l.name !== 'string') return fail(la, 'expected { name, domain, quadrature }');
    const d = l.domain;
    if (!isObj(d) || !(d.kind === 'normal' || (d.kind === 'interval' && finite(d.lower) && finite(d.upper) && d.lower < d.upper))) fail(`${la}.domain`, "expected { kind: 'normal' } or { kind: 'interval', lower < upper }");
    const q = l.quadrature;
    const okPoints = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= MAX_POINTS;
    if (!isObj(q) || typeof q.rule !== 'string' || !RULES.includes(q.rule) || !okPoints(q.points) || (q.evalPoints !== undefined && !okPoints(q.evalPoints))) fail(`${la}.quadrature`, `expected { rule, points (1 to ${MAX_POINTS}) }`);
  });
  if (o.given !== undefined && typeof o.given !== 'string') fail(`${at}.given`, 'expected a string');
}

/** The whole graph materializes (at the evaluation sizes) into parameters its distributions accept. */
export function checkMaterializes(g: IRGraph, fail: Fail): void {
  let m: IRGraph;
  try {
    m = materializeIntegrals(g, 'eval');
  } catch (e) {
    return fail('ir', `the integral circuit cannot be materialized: ${(e as Error).message}`);
  }
  // The functions' values at the points: e.g. a constant whose exp overflows to an infinite variance.
  for (const p of Object.values(m.params)) {
    if (p.param.kind !== 'neural') continue;
    const problem = paramValueProblem({ kind: p.param.output }, p.shape, p.value);
    if (problem) fail(`ir.params['${p.name}']`, `its function gives values the distribution cannot use at the quadrature points: ${problem}`);
  }
}
