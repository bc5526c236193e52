// Lowers integral units: `integral z: real in [a, b] by rule(points = K) of <leaves>` (a
// continuous mixture), and the leaves under an integral, whose parameters become functions of
// the latent (ir/types.ts NeuralParam): `mlp(hidden = H, layers = L)` a small net, an
// expression reading the latent a fixed closed form, a number a constant (learned unless
// fixed), an argument left out a constant learned from the data (or, in an integral circuit,
// a net). The quadrature pass (passes/quadrature.ts) later turns the integrals into sums.
import type { Arg, Expr, ModelExpr, Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { getDistribution } from '../stdlib/distributions/index.js';
import type { LayerContext } from '../stdlib/distributions/index.js';
import { MATH_FUNCTIONS, mathFunction } from '../stdlib/math-functions.js';
import { MAX_POINTS } from '../stdlib/quadrature/index.js';
import { NetPool, type NetSpec } from '../circuits/integral/nets.js';
import { toFreeValue } from '../circuits/integral/latent-fn.js';
import type { Value } from './constants.js';
import type { IRNode, IRParam, IRVariable, LatentExpr, LatentFn, LatentVar, NeuralOutput, QuadratureRule } from '../ir/types.js';
import { levelsOf, show, src } from './lower-helpers.js';
import type { Diagnostic } from '../language/index.js';
import type { IRGraph } from '../ir/types.js';
import { analyticIntegrals, type AnalyticReport } from './passes/analytic-integrals.js';
import { hasIntegrals, materializeIntegrals, QuadratureError } from './passes/quadrature.js';
import { own } from '../stdlib/own.js';

/** A latent as the functions reading it see it: its IR name and the scaling of net inputs. */
export interface LatentRef {
  readonly name: string;
  /** The name written in the model text (for messages and closed forms). */
  readonly written: string;
  readonly center: number;
  readonly radius: number;
}

/** What leaves under an integral need: the latent they read and where their nets come from. */
export interface LatentContext {
  readonly latent: LatentRef;
  readonly pool: NetPool;
  /** For arguments left out: a net of this shape, or a learned constant. */
  readonly fallback: NetSpec | 'constant';
  /** Sharing group of the input functions (one per layer of an integral circuit). */
  readonly group: string;
}

export interface IntegralHost {
  readonly vars: readonly IRVariable[];
  error(code: string, message: string, span: Span, hint?: string): undefined;
  value(a: Arg): Value | undefined;
  evaluate(e: Expr): Value | undefined;
  reserve(n: number, span: Span, what: string): boolean;
  nextId(): string;
  addNode(node: IRNode): void;
  addParam(p: IRParam): void;
  param(name: string): IRParam | undefined;
  node(id: string): IRNode | undefined;
  /** Lowers the body with `ctx` in force for its leaves. */
  lowerWithin(ctx: LatentContext, body: ModelExpr, scope: readonly number[]): string | undefined;
  /** Lowers a leaf the ordinary way (its arguments as given). */
  lowerLeaf(expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number): string | undefined;
}

export const RULES: Readonly<Record<string, QuadratureRule>> = {
  gauss_legendre: 'gauss-legendre',
  gauss_hermite: 'gauss-hermite',
  trapezoid: 'trapezoid',
  midpoint: 'midpoint',
};
const DEFAULT_POINTS = 32;
export const DEFAULT_NET: NetSpec = { hidden: 32, layers: 2, activation: 'tanh' };
export const ACTIVATIONS = ['tanh', 'relu', 'sin'] as const;

/** The net input scaling of a latent domain: about [-1, 1] over the interval, z / 2 for the normal. */
export function latentRef(name: string, written: string, domain: LatentVar['domain']): LatentRef {
  if (domain.kind === 'normal') return { name, written, center: 0, radius: 2 };
  return { name, written, center: (domain.lower + domain.upper) / 2, radius: (domain.upper - domain.lower) / 2 };
}

/** Reads `by rule(points = K, eval_points = K2)` (or the default rule of the domain). */
export function readQuadrature(host: IntegralHost, rule: { name: { name: string; span: Span }; args: readonly Arg[]; span: Span } | undefined, domain: LatentVar['domain']): LatentVar['quadrature'] | undefined {
  const name = rule?.name.name ?? (domain.kind === 'normal' ? 'gauss_hermite' : 'gauss_legendre');
  const r = own(RULES, name);
  if (!r) return host.error('unknown-name', `unknown quadrature rule '${name}' (pmix has ${Object.keys(RULES).join(', ')})`, rule!.name.span, suggestionHint(name, Object.keys(RULES)));
  if (r === 'gauss-hermite' && domain.kind !== 'normal') return host.error('bad-value', `gauss_hermite integrates over the real line under a normal weight; a latent on an interval takes gauss_legendre, trapezoid or midpoint`, rule!.name.span);
  let points = DEFAULT_POINTS;
  let evalPoints: number | undefined;
  for (const a of rule?.args ?? []) {
    const key = a.name.name;
    if (key !== 'points' && key !== 'eval_points') return host.error('unknown-argument', `${name} takes points and eval_points, not '${key}'`, a.name.span, suggestionHint(key, ['points', 'eval_points']));
    const v = host.value(a);
    if (v === undefined) return undefined;
    const min = r === 'trapezoid' ? 2 : 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_POINTS) return host.error('bad-value', `${key} must be an integer from ${min} to ${MAX_POINTS}, got ${show(v)}`, a.value?.span ?? a.span);
    if (key === 'points') points = v;
    else evalPoints = v;
  }
  return { rule: r, points, ...(evalPoints !== undefined ? { evalPoints } : {}) };
}

/** `integral z: <domain> [by rule(...)] of <body>`: one integral unit over a fresh latent. */
export function lowerIntegral(host: IntegralHost, expr: Extract<ModelExpr, { kind: 'integral' }>, scope: readonly number[], units: number, pool: NetPool): string | undefined {
  if (units !== 1) return host.error('unsupported', `an integral is one continuous mixture: it cannot be replicated by mixture(k) of ...; list the components, mixture { integral ..., integral ... }`, expr.span);
  const written = expr.latent.name;
  if (host.vars.some((v) => v.name === written)) return host.error('duplicate-name', `the latent '${written}' has the name of a variable of the model; name it differently`, expr.latent.span);
  let domain: LatentVar['domain'];
  if (expr.domain.kind === 'named') {
    const d = expr.domain.name.name;
    if (d !== 'normal') return host.error('unknown-name', `a latent's domain is real in [a, b] (uniform) or normal (the standard normal), not '${d}'`, expr.domain.name.span, suggestionHint(d, ['normal']));
    domain = { kind: 'normal' };
  } else {
    const lo = host.evaluate(expr.domain.lower);
    const hi = host.evaluate(expr.domain.upper);
    if (lo === undefined || hi === undefined) return undefined;
    if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      return host.error('bad-value', `the latent's interval needs two finite numbers with lower < upper, got [${show(lo)}, ${show(hi)}]`, expr.domain.span, `for a latent over the whole real line write ${written}: normal`);
    }
    domain = { kind: 'interval', lower: lo, upper: hi };
  }
  const quadrature = readQuadrature(host, expr.rule, domain);
  if (!quadrature) return undefined;
  const id = host.nextId();
  const name = `${written}@${id}`;
  const ctx: LatentContext = { latent: latentRef(name, written, domain), pool, fallback: 'constant', group: `${id}.in` };
  const child = host.lowerWithin(ctx, expr.body, scope);
  if (child === undefined) return undefined;
  // nextId is positional: take a fresh id now that the body's nodes exist.
  const nodeId = host.nextId();
  host.addNode({ kind: 'integral', id: nodeId, scope: [...scope].sort((a, b) => a - b), units: 1, latents: [{ name, domain, quadrature }], child, source: src(expr.span) });
  return nodeId;
}

/** Model text -> a closed form of the latent; other names are `let` constants. */
function toLatentExpr(host: IntegralHost, e: Expr, latent: LatentRef): LatentExpr | undefined {
  switch (e.kind) {
    case 'number':
      return { op: 'num', value: e.value };
    case 'name': {
      if (e.name === latent.written) return { op: 'latent', name: latent.name };
      const v = host.evaluate(e);
      if (v === undefined) return undefined;
      if (typeof v !== 'number') return host.error('bad-value', `'${e.name}' is ${show(v)}; a function of the latent needs numbers`, e.span);
      return { op: 'num', value: v };
    }
    case 'unary': {
      const a = toLatentExpr(host, e.operand, latent);
      return a && (e.op === '-' ? { op: 'neg', a } : a);
    }
    case 'binary': {
      const a = toLatentExpr(host, e.left, latent);
      const b = toLatentExpr(host, e.right, latent);
      return a && b ? { op: e.op, a, b } : undefined;
    }
    case 'call': {
      const f = e.callee.name;
      if (f === 'mlp') return host.error('bad-value', `mlp(...) is a whole argument, e.g. mean = mlp(hidden = 32); it cannot be part of an expression`, e.span);
      const fn = mathFunction(f);
      if (!fn) return host.error('unknown-name', `unknown function '${f}'`, e.callee.span, suggestionHint(f, [...Object.keys(MATH_FUNCTIONS), 'mlp']));
      if (e.named?.length) return host.error('bad-value', `${f} takes no named arguments`, e.named[0]!.span);
      if (e.args.length < fn.arity[0] || e.args.length > fn.arity[1]) return host.error('bad-value', `${f} takes ${fn.arity[0] === fn.arity[1] ? fn.arity[0] : `${fn.arity[0]} or more`} argument(s), got ${e.args.length}`, e.span);
      const args: LatentExpr[] = [];
      for (const a of e.args) {
        const x = toLatentExpr(host, a, latent);
        if (!x) return undefined;
        args.push(x);
      }
      return { op: 'call', fn: f, args };
    }
    default:
      return host.error('bad-value', `a function of the latent is a number expression, not ${e.kind === 'string' ? 'a string' : 'a list'}`, e.span);
  }
}

function readsName(e: Expr, name: string): boolean {
  switch (e.kind) {
    case 'name':
      return e.name === name;
    case 'unary':
      return readsName(e.operand, name);
    case 'binary':
      return readsName(e.left, name) || readsName(e.right, name);
    case 'call':
      return e.args.some((a) => readsName(a, name)) || (e.named ?? []).some((a) => readsName(a.value, name));
    case 'array':
      return e.items.some((a) => readsName(a, name));
    default:
      return false;
  }
}

function callsMlp(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return e.callee.name === 'mlp' || e.args.some(callsMlp);
    case 'unary':
      return callsMlp(e.operand);
    case 'binary':
      return callsMlp(e.left) || callsMlp(e.right);
    case 'array':
      return e.items.some(callsMlp);
    default:
      return false;
  }
}

/** What reading net arguments needs: diagnostics and constant evaluation. */
export interface NetArgHost {
  error(code: string, message: string, span: Span, hint?: string): undefined;
  evaluate(e: Expr): Value | undefined;
}

/** Reads the arguments of `mlp(hidden = H, layers = L, activation = tanh)` (a call, or a circuit's net entry). */
export function readNetArgs(host: NetArgHost, args: readonly { name: { name: string; span: Span }; value?: Expr; span: Span }[], base: NetSpec = DEFAULT_NET): NetSpec | undefined {
  let spec: NetSpec = base;
  for (const a of args) {
    const key = a.name.name;
    if (!a.value) return host.error('bad-value', `mlp's ${key} needs a value, e.g. ${key} = ...`, a.span);
    if (key === 'activation') {
      const act = a.value.kind === 'name' ? a.value.name : undefined;
      if (!act || !(ACTIVATIONS as readonly string[]).includes(act)) return host.error('bad-value', `activation is one of ${ACTIVATIONS.join(', ')}`, a.value.span, act ? suggestionHint(act, ACTIVATIONS) : undefined);
      spec = { ...spec, activation: act as NetSpec['activation'] };
      continue;
    }
    if (key !== 'hidden' && key !== 'layers') return host.error('unknown-argument', `mlp takes hidden, layers and activation, not '${key}'`, a.name.span, suggestionHint(key, ['hidden', 'layers', 'activation']));
    const v = host.evaluate(a.value);
    if (v === undefined) return undefined;
    const min = key === 'hidden' ? 1 : 0;
    const max = key === 'hidden' ? 1024 : 8;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return host.error('bad-value', `mlp's ${key} must be an integer from ${min} to ${max}, got ${show(v)}`, a.value.span);
    spec = key === 'hidden' ? { ...spec, hidden: v } : { ...spec, layers: v };
  }
  return spec;
}

/** Reads a call `mlp(hidden = H, ...)` (named arguments only). */
function readNet(host: IntegralHost, e: Extract<Expr, { kind: 'call' }>): NetSpec | undefined {
  if (e.args.length) return host.error('bad-value', `mlp takes named arguments: mlp(hidden = 32, layers = 2, activation = tanh)`, e.args[0]!.span);
  return readNetArgs(host, e.named ?? []);
}

/** The roles (stored parameters) an argument of a family sets, e.g. Normal's sd -> var. */
function rolesOf(fam: NonNullable<ReturnType<typeof getDistribution>>, arg: string, ctx: LayerContext): string[] {
  for (const probe of [0.5, 1, 2]) {
    const r = Object.keys(fam.fromArgs({ [arg]: probe }, ctx).values);
    if (r.length) return r;
  }
  return [];
}

/** A leaf under an integral: its parameters become functions of the latent. */
export function lowerLatentLeaf(host: IntegralHost, ctx: LatentContext, expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[]): string | undefined {
  const fam = getDistribution(expr.name.name);
  if (!fam) return host.error('unsupported', `the body of an integral is made of distributions whose parameters read the latent; '${expr.name.name}' is not a distribution`, expr.name.span);
  const given = expr.args.find((a) => a.value === undefined && !a.bounds && fam.variants.includes(a.name.name))?.name.name;
  // Normal defaults to its diagonal variant here: a full covariance cannot be a function of the latent.
  if (!given && fam.variants.includes('diag')) expr = { ...expr, args: [...expr.args, { name: { name: 'diag', span: expr.span }, span: expr.span }] };
  const variant = given ?? (fam.variants.includes('diag') ? 'diag' : (fam.variants[0] ?? ''));
  const lctx: LayerContext = { dims: scope.length, units: 1, variant, levels: scope.map((i) => levelsOf(host.vars[i]!.type)) };
  const plain: Arg[] = [];
  const special = new Map<string, { fn: 'net'; spec: NetSpec; arg: Arg } | { fn: 'expr'; expr: LatentExpr; arg: Arg }>();
  let ok = true;
  for (const a of expr.args) {
    const v = a.value;
    if (v && v.kind === 'call' && v.callee.name === 'mlp') {
      const spec = readNet(host, v);
      if (!spec) ok = false;
      else for (const r of rolesOf(fam, a.name.name, lctx)) special.set(r, { fn: 'net', spec, arg: a });
      if (a.fixed || a.bounds) ok = !!host.error('bad-value', `a net is learned: 'fixed' and bounds do not apply to mlp(...)`, a.span);
    } else if (v && (readsName(v, ctx.latent.written) || callsMlp(v))) {
      const le = toLatentExpr(host, v, ctx.latent);
      if (!le) ok = false;
      else for (const r of rolesOf(fam, a.name.name, lctx)) special.set(r, { fn: 'expr', expr: le, arg: a });
      if (a.bounds) ok = !!host.error('bad-value', `bounds do not apply to a closed form of the latent`, a.span);
    } else plain.push(a);
  }
  if (!ok) return undefined;
  const id = host.lowerLeaf({ ...expr, args: plain }, scope, 1);
  if (id === undefined) return undefined;
  const node = host.node(id);
  if (!node || node.kind !== 'input') return id;
  for (const [role, pname] of Object.entries(node.params)) {
    const p = host.param(pname)!;
    const kind = p.param.kind;
    if (kind !== 'identity' && kind !== 'positive' && kind !== 'unit' && kind !== 'simplex') {
      const sp = special.get(role)?.arg.span ?? expr.span;
      if (special.has(role) || p.init === 'data') return host.error('unsupported', `${fam.name}'s ${role} (${kind}) cannot be a function of the latent; integral units take Normal(diag), Bernoulli, Categorical, Poisson and other leaves with scalar parameters`, sp);
      continue;
    }
    const outputs = p.shape.reduce((a, b) => a * b, 1);
    const sp = special.get(role);
    let fn: LatentFn;
    if (sp?.fn === 'expr') fn = { kind: 'expr', expr: sp.expr, arg: sp.arg.name.name };
    else if (sp?.fn === 'net' || (!sp && p.init === 'data' && ctx.fallback !== 'constant')) {
      const spec = sp?.fn === 'net' ? sp.spec : (ctx.fallback as NetSpec);
      if (!host.reserve(NetPool.size(spec, 1, outputs), sp?.arg.span ?? expr.span, `the net of ${fam.name}'s ${role}`)) return undefined;
      fn = ctx.pool.fn(spec, `${ctx.group}.${fam.name}.${role}`, pname, 1, outputs);
    } else {
      // A number in the text (its starting value) or a parameter left to the data: the same at every point.
      const cname = `${pname}.const`;
      host.addParam({ name: cname, shape: [outputs], param: { kind: 'identity' }, value: p.value.map((x) => toFreeValue(kind, x)), fixed: p.fixed, init: p.init, ...(p.source ? { source: p.source } : {}) });
      fn = { kind: 'constant', param: cname };
    }
    host.addParam({ ...p, param: { kind: 'neural', output: kind, fn, latents: [{ name: ctx.latent.name, center: ctx.latent.center, radius: ctx.latent.radius }] }, fixed: fn.kind === 'expr' || p.fixed, init: 'given' });
  }
  return id;
}

/**
 * After lowering a model with integrals: closed forms where they exist (the analytic pass),
 * then a trial quadrature at the training and evaluation sizes, so bad closed forms (a
 * negative sd at some point) and oversized materializations are reported now, at their place.
 */
export function finishIntegrals(g: IRGraph, file: string, body: Span): { graph?: IRGraph; analytic?: AnalyticReport[]; diagnostic?: Diagnostic } {
  const { graph, reports } = analyticIntegrals(g);
  if (hasIntegrals(graph)) {
    try {
      materializeIntegrals(graph, 'train');
      materializeIntegrals(graph, 'eval');
    } catch (e) {
      if (!(e instanceof QuadratureError)) throw e;
      const at = e.source ?? { line: body.startLine, column: body.startColumn };
      const span = { startOffset: 0, endOffset: 0, startLine: at.line, startColumn: at.column, endLine: at.line, endColumn: at.column + 1 };
      return { diagnostic: { severity: 'error', code: 'bad-value', message: e.message, span, file } };
    }
  }
  return { graph, analytic: reports };
}
