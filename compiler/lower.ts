// Lowers a model body over known variables to an IRGraph, type-checking as it goes: every
// leaf must accept its variables' types, every argument must be known and valid. A
// `mixture(k) of C` becomes C replicated k times (units) under one mixing node, so a GMM is
// one input layer of k Normal units and one mixing node: the tensorized form from the start.
import { freeze } from 'immer';
import type { Arg, ModelExpr, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { distributions, getDistribution } from '../stdlib/distributions/index.js';
import type { ArgValue, LayerContext } from '../stdlib/distributions/index.js';
import { asNumeric, ConstantScope, type Value } from './constants.js';
import { MAX_PARAMETER_VALUES } from './cost.js';
import { paramValueProblem } from './param-values.js';
import { readLeafArg } from './leaf-args.js';
import { IR_VERSION, type FamilyNode, type IRGraph, type IRNode, type IRParam, type IRVariable, type Parameterization } from '../ir/types.js';
import type { CompiledProgram } from './program.js';
import { simplify } from './passes/simplify.js';
import { hasIntegrals } from './passes/quadrature.js';
import { lowerCircuit } from './lower-circuit.js';
import { lowerSquare, squaredStructure, structureSpan } from './lower-square.js';
import { big, describeType, levelsOf, repeat, show, src } from './lower-helpers.js';
import { finishIntegrals, lowerIntegral, lowerLatentLeaf, type IntegralHost, type LatentContext } from './lower-integral.js';
import { NetPool } from '../circuits/integral/nets.js';
import type { AnalyticReport } from './passes/analytic-integrals.js';

export interface LowerOptions {
  /** The fit's rows over `vars` (rows x vars.length), for structures learned from data (chow_liu). */
  readonly data?: { readonly x: Float64Array; readonly n: number };
  /**
   * The family that owns a model expression it lowers itself (kde(...), chow_liu(...)), from the
   * family registry: such a model stands alone, and a use inside a mixture, product or circuit
   * is told so instead of "unknown distribution".
   */
  readonly ownerOf?: (body: ModelExpr) => { readonly name: string; readonly noun: string; readonly lowering?: { readonly lowerComponent?: ComponentLowering } } | undefined;
}

/** What a family's component lowering gets: the leaf expression, the scope it covers, the copies, the fit's rows over that scope. */
export interface ComponentRequest {
  readonly program: CompiledProgram;
  readonly expr: Extract<ModelExpr, { kind: 'leaf' }>;
  /** The node's id; its parameters are named `${id}.role`. */
  readonly id: string;
  readonly scope: readonly number[];
  /** The variables of `scope`, in order. */
  readonly vars: readonly IRVariable[];
  /** Copies (a mixture's k components of one body). */
  readonly units: number;
  /** The fit's rows over `scope` (rows x scope.length); absent outside a fit (pmix check, cost). */
  readonly data?: { readonly x: Float64Array; readonly n: number };
}

/**
 * A family whose model can also be a part of a mixture or a product (a KDE component): its
 * expression becomes one `family` node (evaluated, initialized and refitted by the family's
 * runtime hooks, runtime/family-nodes.ts) with its parameters.
 */
export type ComponentLowering = (req: ComponentRequest) => { node?: FamilyNode; params?: readonly IRParam[]; diagnostics: Diagnostic[] };

export function lowerModel(program: CompiledProgram, modelName: string, vars: readonly IRVariable[], opts: LowerOptions = {}): { graph?: IRGraph; diagnostics: Diagnostic[]; analytic?: AnalyticReport[] } {
  const lw = new Lowering(program, vars, opts.data, opts.ownerOf);
  const model = program.models.get(modelName);
  if (!model) return { diagnostics: [{ severity: 'error', code: 'unknown-name', message: `unknown model '${modelName}'`, file: program.file }] };
  lw.stack.push(modelName);
  lw.rootExpr = model.decl.body;
  const root = lw.lower(model.decl.body, vars.map((_, i) => i), 1);
  if (lw.diags.some((d) => d.severity === 'error') || root === undefined) return { diagnostics: lw.diags };
  const squared = lw.nodes.find((n) => n.id === root)?.kind === 'square';
  const family = squared ? 'squared' : lw.nodes.some((n) => n.kind === 'integral') ? 'integral' : lw.nodes.some((n) => n.kind === 'sum') ? 'circuit' : 'mixture';
  const graph: IRGraph = { version: IR_VERSION, family, vars: [...vars], params: lw.params, nodes: lw.nodes, root };
  // A family's component (a KDE) runs in mixtures and products only: the circuit passes do not know its node.
  const part = lw.nodes.find((n): n is FamilyNode => n.kind === 'family');
  const circuitKind = squared ? 'squared circuit' : lw.nodes.some((n) => n.kind === 'integral') ? 'integral circuit' : lw.nodes.some((n) => n.kind === 'sum') ? 'circuit with sums' : undefined;
  if (part && circuitKind) return { diagnostics: [...lw.diags, { severity: 'error', code: 'unsupported', message: `a ${part.family}(...) part works inside mixtures and products only, not inside a ${circuitKind}`, span: model.decl.body.span, file: program.file }] };
  const simple = simplify(graph);
  if (squared && model.decl.body.kind === 'square') {
    const { problem, code, term } = squaredStructure(simple);
    const op = model.decl.body.op === 'times' ? 'c_plus * square(c)' : `${model.decl.body.op}(...)`;
    if (problem) return { diagnostics: [...lw.diags, { severity: 'error', code: code ?? 'not-structured-decomposable', message: `${op} needs the circuit's square to be tractable: ${problem}`, span: structureSpan(model.decl.body, term, code === 'unsupported-leaf' ? 'inputs' : 'region'), file: program.file }] };
  }
  if (!hasIntegrals(simple)) return { graph: freeze(simple, true), diagnostics: lw.diags };
  const done = finishIntegrals(simple, program.file, model.decl.body.span);
  if (done.diagnostic) return { diagnostics: [...lw.diags, done.diagnostic] };
  return { graph: freeze(done.graph!, true), diagnostics: lw.diags, analytic: done.analytic };
}

class Lowering {
  readonly diags: Diagnostic[] = [];
  readonly nodes: IRNode[] = [];
  readonly params: Record<string, IRParam> = {};
  readonly stack: string[] = [];
  /** The model body being lowered (square(...) is allowed there only). */
  rootExpr?: ModelExpr;
  /** Inside square(...): sum and mixture weights are real (signed). */
  private signed = false;
  /** Inside an integral's body: leaves' parameters are functions of its latent. */
  private latent?: LatentContext;
  private latentPrefixes = 0;
  private readonly consts: ConstantScope;
  /** Parameter values allocated so far (refused past MAX_PARAMETER_VALUES, before allocating). */
  private paramValues = 0;
  /**
   * Named models already lowered, by name, variables (in order), units and context: a model
   * used again over the same variables is the same node (the graph is a DAG), so its
   * parameters exist, count and are fitted once.
   */
  private readonly shared = new Map<string, string>();

  constructor(
    private readonly program: CompiledProgram,
    private readonly vars: readonly IRVariable[],
    private readonly data?: { readonly x: Float64Array; readonly n: number },
    private readonly ownerOf?: LowerOptions['ownerOf'],
  ) {
    this.consts = new ConstantScope(program.file);
    for (const [k, v] of program.constants) this.consts.define(k, v);
  }

  private error(code: string, message: string, span: Span, hint?: string): undefined {
    this.diags.push({ severity: 'error', code, message, span, file: this.program.file, hint });
    return undefined;
  }

  /** Reserves n parameter values; false (with a diagnostic on span) when the model grows too big. */
  private reserve(n: number, span: Span, what: string): boolean {
    if (this.paramValues + n <= MAX_PARAMETER_VALUES) {
      this.paramValues += n;
      return true;
    }
    const total = this.paramValues + n;
    this.error('too-big', `${what} needs ${big(total)} parameter values in all; pmix refuses models with more than ${big(MAX_PARAMETER_VALUES)}`, span, 'lower k (the number of components) or model fewer variables jointly');
    return false;
  }

  private nextId(): string {
    return `n${this.nodes.length}`;
  }

  /** Lowers expr over the variables `scope` (indices) replicated `units` times; returns the node id. */
  lower(expr: ModelExpr, scope: readonly number[], units: number): string | undefined {
    switch (expr.kind) {
      case 'leaf':
        return this.lowerLeaf(expr, scope, units);
      case 'product':
        return this.lowerProduct(expr, scope, units);
      case 'mixtureOf':
      case 'mixtureList':
        return this.lowerMixture(expr, scope, units);
      case 'integral':
        return this.lowerIntegral(expr, scope, units);
      case 'gp':
        return this.error('unsupported', `a ${expr.head ?? 'gp'}(...) model stands alone: it cannot be a part of a mixture, product or circuit`, expr.span);
      case 'square':
        return lowerSquare(
          {
            error: (code, message, span, hint) => this.error(code, message, span, hint),
            nextId: () => this.nextId(),
            addNode: (node) => void this.nodes.push(node),
            lowerMonotone: (e, sc, u) => this.lower(e, sc, u),
            lowerSigned: (e, sc, u) => {
              this.signed = true;
              try {
                return this.lower(e, sc, u);
              } finally {
                this.signed = false;
              }
            },
          },
          expr,
          scope,
          units,
          expr === this.rootExpr,
        );
      case 'circuit':
        return lowerCircuit(
          {
            vars: this.vars,
            data: this.data,
            error: (code, message, span, hint) => this.error(code, message, span, hint),
            value: (a) => this.value(a),
            reserve: (n, span, what) => this.reserve(n, span, what),
            nextId: () => this.nextId(),
            addNode: (node) => void this.nodes.push(node),
            addParam: (p) => void (this.params[p.name] = p),
            lowerLeaf: (leaf, sc, u) => this.lowerLeaf(leaf, sc, u),
            signed: this.signed,
            integral: { host: this.integralHost(), pool: (sharing) => new NetPool(sharing, (p) => void (this.params[p.name] = p)), prefix: () => `c${this.latentPrefixes++}.` },
          },
          expr,
          scope,
          units,
        );
    }
  }

  private lowerProduct(expr: Extract<ModelExpr, { kind: 'product' }>, scope: readonly number[], units: number): string | undefined {
    const names = this.vars.map((v) => v.name);
    const used = new Set<number>();
    const children: string[] = [];
    let ok = true;
    for (const part of expr.parts) {
      const idx: number[] = [];
      for (const v of part.scope) {
        const i = names.indexOf(v.name);
        if (i < 0 || !scope.includes(i)) {
          const avail = scope.map((j) => names[j]!);
          this.error('unknown-name', `'${v.name}' is not a variable of this model (its variables: ${avail.join(', ')})`, v.span, suggestionHint(v.name, avail));
          ok = false;
        } else if (used.has(i)) {
          this.error('overlapping-scope', `'${v.name}' appears in two parts of the product; parts must cover disjoint variables`, v.span);
          ok = false;
        } else {
          used.add(i);
          idx.push(i);
        }
      }
      if (!ok) continue;
      const c = this.lower(part.model, idx, units);
      if (c === undefined) ok = false;
      else children.push(c);
    }
    const missing = scope.filter((i) => !used.has(i));
    if (ok && missing.length > 0) {
      this.error('uncovered-variables', `the product leaves ${missing.map((i) => `'${names[i]}'`).join(', ')} unmodelled; add a part for them`, expr.span);
      return undefined;
    }
    if (!ok) return undefined;
    if (children.length === 1) return children[0];
    const id = this.nextId();
    this.nodes.push({ kind: 'product', id, mode: 'hadamard', scope: [...scope].sort((a, b) => a - b), units, children, source: src(expr.span) });
    return id;
  }

  private lowerMixture(expr: Extract<ModelExpr, { kind: 'mixtureOf' | 'mixtureList' }>, scope: readonly number[], units: number): string | undefined {
    let k: number | undefined;
    let weights: number[] | undefined;
    let fixed = false;
    let ok = true;
    for (const a of expr.args) {
      if (a.name.name === 'k') {
        const v = this.value(a);
        if (v === undefined) ok = false;
        else if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) ok = !!this.error('bad-value', `k must be a positive integer, got ${show(v)}`, a.span);
        else if (expr.kind === 'mixtureList') ok = !!this.error('bad-value', `k is implied by the listed components; remove it`, a.span);
        else k = v;
        if (a.fixed || a.bounds) ok = !!this.error('bad-value', `k is a structure size: 'fixed' and bounds do not apply`, a.span);
      } else if (a.name.name === 'weights') {
        const v = this.value(a);
        const w = v === undefined ? undefined : asNumeric(v);
        if (v === undefined) ok = false;
        else if (!Array.isArray(w) || !w.every((x) => typeof x === 'number')) ok = !!this.error('bad-value', `weights must be a vector of numbers, e.g. [0.3, 0.7]`, a.span);
        else if (this.signed) weights = w as number[]; // squared: real weights, any sign and scale
        else if (w.some((x) => (x as number) < 0)) ok = !!this.error('bad-value', `mixture weights must be non-negative; for negative weights use a squared (subtractive) mixture`, a.span);
        else if (Math.abs((w as number[]).reduce((s, x) => s + x, 0) - 1) > 1e-6) ok = !!this.error('bad-value', `mixture weights must sum to 1 (they sum to ${(w as number[]).reduce((s, x) => s + x, 0)})`, a.span);
        else weights = w as number[];
        if (a.bounds) ok = !!this.error('bad-value', `bounds do not apply to mixture weights`, a.span);
        fixed = !!a.fixed;
      } else {
        ok = !!this.error('unknown-argument', `mixture has no argument '${a.name.name}' (it takes k, weights)`, a.name.span, suggestionHint(a.name.name, ['k', 'weights']));
      }
    }
    if (!ok) return undefined;
    const arity = expr.kind === 'mixtureList' ? expr.components.length : (k ?? weights?.length);
    if (arity === undefined) return this.error('bad-value', `mixture needs k (the number of components) or weights, e.g. mixture(k = 3) of ...`, expr.span);
    if (weights && weights.length !== arity) return this.error('bad-value', `weights has ${weights.length} entries but the mixture has ${arity} components`, expr.span);
    // Every component unit holds at least one parameter value: refuse a huge k before lowering it.
    const kSpan = expr.args.find((a) => a.name.name === 'k')?.span ?? expr.span;
    if (units * arity > MAX_PARAMETER_VALUES) {
      return this.error('too-big', `this mixture would have ${big(units * arity)} components in all (k = ${big(arity)}${units > 1 ? ` inside ${big(units)} copies` : ''}); pmix refuses models with more than ${big(MAX_PARAMETER_VALUES)} parameter values`, kSpan, 'lower k');
    }
    const children: string[] = [];
    if (expr.kind === 'mixtureOf') {
      const c = this.lower(expr.component, scope, units * arity);
      if (c === undefined) return undefined;
      children.push(c);
    } else {
      for (const comp of expr.components) {
        const c = this.lower(comp, scope, units);
        if (c === undefined) ok = false;
        else children.push(c);
      }
      if (!ok) return undefined;
    }
    if (!this.reserve(units * arity, kSpan, `mixture(k = ${big(arity)})`)) return undefined;
    const id = this.nextId();
    const wName = `${id}.weights`;
    const w = weights ?? new Array<number>(arity).fill(1 / arity);
    this.params[wName] = {
      name: wName,
      shape: [units, arity],
      param: this.signed ? { kind: 'signed' } : { kind: 'simplex' },
      value: repeat(w, units),
      fixed,
      init: weights ? 'given' : 'data',
      source: src(expr.span),
    };
    this.nodes.push({ kind: 'mixing', id, arity, children, weights: wName, scope: [...scope].sort((a, b) => a - b), units, source: src(expr.span) });
    return id;
  }

  /** A family's own model as a part of a mixture or a product: one family node (its family checks the arguments). */
  private lowerComponent(lower: ComponentLowering, expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number): string | undefined {
    const id = this.nextId();
    const sorted = [...scope].sort((a, b) => a - b);
    let data: { x: Float64Array; n: number } | undefined;
    if (this.data) {
      const { n } = this.data;
      const V = this.vars.length;
      const x = new Float64Array(n * sorted.length);
      for (let i = 0; i < n; i++) sorted.forEach((c, j) => (x[i * sorted.length + j] = this.data!.x[i * V + c]!));
      data = { x, n };
    }
    const r = lower({ program: this.program, expr, id, scope: sorted, vars: sorted.map((i) => this.vars[i]!), units, ...(data ? { data } : {}) });
    this.diags.push(...r.diagnostics);
    if (!r.node || r.diagnostics.some((d) => d.severity === 'error')) return undefined;
    for (const p of r.params ?? []) this.params[p.name] = p;
    this.nodes.push(r.node);
    return id;
  }

  private lowerLeaf(expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number, plain = false): string | undefined {
    if (this.latent && !plain) return lowerLatentLeaf(this.integralHost(), this.latent, expr, scope);
    const name = expr.name.name;
    const fam = getDistribution(name);
    if (!fam) {
      const ref = this.program.models.get(name);
      if (ref) {
        if (this.stack.includes(name)) return this.error('recursive-model', `model '${name}' refers to itself (${[...this.stack, name].join(' -> ')})`, expr.name.span);
        if (expr.hasParens) return this.error('bad-value', `'${name}' is a model, not a distribution: it takes no arguments`, expr.span);
        const key = `${name}|${scope.join(',')}|${units}|${this.signed}`;
        const seen = this.latent ? undefined : this.shared.get(key);
        if (seen !== undefined) return seen;
        this.stack.push(name);
        const r = this.lower(ref.decl.body, scope, units);
        this.stack.pop();
        if (r !== undefined && !this.latent) this.shared.set(key, r);
        return r;
      }
      const owner = this.ownerOf?.(expr);
      const component = owner?.lowering?.lowerComponent;
      if (owner && component) return this.lowerComponent(component, expr, scope, units);
      if (owner) {
        return this.error('unsupported', `${name}(...) is ${owner.noun}, a model of its own: it stands alone, not inside a mixture, product or circuit`, expr.name.span, `declare it as its own model: model M = ${name}(...)`);
      }
      const known = [...distributions.keys(), ...this.program.models.keys()];
      return this.error('unknown-name', `unknown distribution or model '${name}'`, expr.name.span, suggestionHint(name, known));
    }
    let ok = true;
    // Flags select the variant; named arguments give parameter values.
    let variant = fam.variants[0] ?? '';
    const named: Arg[] = [];
    for (const a of expr.args) {
      if (a.value === undefined && !a.bounds) {
        if (fam.variants.includes(a.name.name)) variant = a.name.name;
        else {
          const what = fam.variants.length ? `its variants are ${fam.variants.join(', ')}` : 'it has no variants';
          ok = !!this.error('unknown-argument', `${fam.name} has no option '${a.name.name}' (${what}); parameters are written name = value`, a.name.span, suggestionHint(a.name.name, [...fam.variants, ...fam.argNames]));
        }
      } else if (!fam.argNames.includes(a.name.name)) {
        ok = !!this.error('unknown-argument', `${fam.name} has no parameter '${a.name.name}' (it has ${fam.argNames.join(', ')})`, a.name.span, suggestionHint(a.name.name, fam.argNames));
      } else named.push(a);
    }
    for (const i of scope) {
      const v = this.vars[i]!;
      if (!fam.accepts(v.type)) {
        const better = [...distributions.values()].filter((d) => d.accepts(v.type)).map((d) => d.name);
        ok = !!this.error(
          'type-mismatch',
          `${fam.name} models ${fam.expects}, but '${v.name}' is ${describeType(v.type)}`,
          expr.name.span,
          better.length ? `for ${describeType(v.type)} use ${better.slice(0, 3).join(' or ')}` : undefined,
        );
      }
    }
    if (!ok) return undefined;
    const ctx: LayerContext = { dims: scope.length, units, variant, levels: scope.map((i) => levelsOf(this.vars[i]!.type)) };
    const specs = fam.paramSpecs(ctx);
    const values: Record<string, number[]> = {};
    const fixedRoles = new Set<string>();
    const bounds = new Map<string, { lower: number; upper: number }>();
    const roleArg = new Map<string, Arg>();
    const perUnitRoles = new Set<string>();
    for (const a of named) {
      const v = this.value(a);
      if (v === undefined) {
        ok = false;
        continue;
      }
      const num = asNumeric(v);
      if (num === undefined) {
        ok = !!this.error('bad-value', `${fam.name}'s ${a.name.name} must be a number, vector or matrix, got ${show(v)}`, a.value!.span);
        continue;
      }
      const res = readLeafArg(fam, a.name.name, num as ArgValue, ctx);
      for (const e of res.errors) ok = !!this.error('bad-value', `${fam.name}: ${e}`, a.span, res.hint);
      Object.assign(values, res.values);
      const roles = Object.keys(res.values);
      if (res.perUnit) for (const r of roles) perUnitRoles.add(r);
      for (const r of roles) roleArg.set(r, a);
      if (a.fixed) for (const r of roles) fixedRoles.add(r);
      if (a.bounds) {
        const lo = this.consts.evaluate(a.bounds.lower, this.diags);
        const hi = this.consts.evaluate(a.bounds.upper, this.diags);
        if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo < hi)) {
          ok = !!this.error('bad-value', `bounds must be two numbers with lower < upper`, a.bounds.span);
          continue;
        }
        // Bounds are written in the argument's units (sd) and mapped to the stored role (variance)
        // by the family's own conversion, which is monotone.
        const at = (b: number): Record<string, number[]> => fam.fromArgs({ [a.name.name]: b }, ctx).values;
        const [loVals, hiVals] = [at(lo), at(hi)];
        for (const r of roles) {
          const spec = specs.find((s) => s.role === r);
          const perUnit = spec ? spec.shape.slice(spec.shared ? 0 : 1).reduce((x, y) => x * y, 1) : 0;
          const scalarLike = spec && (['identity', 'positive', 'unit'].includes(spec.param.kind) || (spec.param.kind === 'spd' && perUnit === 1));
          const rl = loVals[r]?.[0];
          const rh = hiVals[r]?.[0];
          if (!scalarLike || rl === undefined || rh === undefined) {
            ok = !!this.error('bad-value', `bounds apply to scalar parameters; '${a.name.name}' is not one here`, a.bounds.span);
          } else if (num === undefined || (Array.isArray(num) ? (num as number[]).flat() : [num as number]).some((x) => x < lo || x > hi)) {
            ok = !!this.error('bad-value', `the initial ${a.name.name} lies outside its bounds [${lo}, ${hi}]`, a.span);
          } else bounds.set(r, { lower: Math.min(rl, rh), upper: Math.max(rl, rh) });
        }
      }
    }
    if (!ok) return undefined;
    const sizes = specs.reduce((t, sp) => t + sp.shape.reduce((a, b) => a * b, 1), 0);
    if (!this.reserve(sizes, expr.span, `${fam.name}${variant ? `(${variant})` : ''} over ${scope.length} variable(s) in ${big(units)} component(s)`)) return undefined;
    const id = this.nextId();
    const paramNames: Record<string, string> = {};
    const shared: string[] = [];
    for (const spec of specs) {
      const pname = `${id}.${spec.role}`;
      paramNames[spec.role] = pname;
      if (spec.shared) shared.push(spec.role);
      const given = values[spec.role];
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const perUnit = perUnitRoles.has(spec.role);
      if (perUnit && spec.shared) {
        return this.error('bad-value', `${fam.name}'s ${spec.role} is shared by all units: give one value, not one per unit`, roleArg.get(spec.role)?.span ?? expr.span);
      }
      const value = given ? (spec.shared || perUnit ? given : repeat(given, units)) : new Array<number>(size).fill(0);
      if (value.length !== size) {
        return this.error('bad-value', `${fam.name}'s ${spec.role} has ${given!.length} values per component but needs ${size / (spec.shared ? 1 : units)} here`, expr.span);
      }
      const b = bounds.get(spec.role);
      const param: Parameterization = b ? { kind: 'bounded', lower: b.lower, upper: b.upper } : spec.param;
      // Arguments are checked in their own units; the stored role (sd squared to a variance) may still overflow or underflow.
      const problem = given ? paramValueProblem(spec.param, spec.shared || perUnit ? spec.shape : spec.shape.slice(1), given) : undefined;
      // A learned probability must stay inside (0, 1) (its logit is what gradient fits move); 0 and 1 are indicators.
      if (!problem && given && spec.param.kind === 'unit' && !fixedRoles.has(spec.role) && given.some((v) => v === 0 || v === 1)) {
        const arg = roleArg.get(spec.role);
        return this.error('bad-value', `${fam.name}: ${arg?.name.name ?? spec.role} = 0 or 1 can only be fixed (a learned value stays inside (0, 1))`, arg?.span ?? expr.span, `add fixed: ${arg?.name.name ?? spec.role} = ... fixed`);
      }
      if (problem) {
        const arg = roleArg.get(spec.role);
        return this.error('bad-value', `${fam.name}: ${arg ? `${arg.name.name} = ...` : 'these arguments'} gives a ${spec.role} pmix cannot use: ${problem}`, arg?.span ?? expr.span);
      }
      this.params[pname] = { name: pname, shape: [...spec.shape], param, value, fixed: fixedRoles.has(spec.role), init: given ? 'given' : 'data', source: src(expr.span) };
    }
    this.nodes.push({
      kind: 'input',
      id,
      dist: fam.name,
      ...(variant ? { variant } : {}),
      params: paramNames,
      ...(shared.length ? { shared } : {}),
      scope: [...scope],
      units,
      source: src(expr.span),
    });
    return id;
  }

  private value(a: Arg): Value | undefined {
    if (!a.value) return undefined;
    return this.consts.evaluate(a.value, this.diags);
  }

  private lowerIntegral(expr: Extract<ModelExpr, { kind: 'integral' }>, scope: readonly number[], units: number): string | undefined {
    if (this.latent) return this.error('unsupported', `an integral's body cannot hold another integral; for hierarchical integral circuits write circuit { region ...  integral ... }`, expr.span);
    if (this.signed) return this.error('unsupported', `integral units cannot be squared`, expr.span);
    return lowerIntegral(this.integralHost(), expr, scope, units, new NetPool('none', (p) => void (this.params[p.name] = p)));
  }

  private integralHost(): IntegralHost {
    return {
      vars: this.vars,
      error: (code, message, span, hint) => this.error(code, message, span, hint),
      value: (a) => this.value(a),
      evaluate: (e) => this.consts.evaluate(e, this.diags),
      reserve: (n, span, what) => this.reserve(n, span, what),
      nextId: () => this.nextId(),
      addNode: (node) => void this.nodes.push(node),
      addParam: (p) => void (this.params[p.name] = p),
      param: (name) => this.params[name],
      node: (id) => this.nodes.find((n) => n.id === id),
      lowerLeaf: (leaf, sc, u) => this.lowerLeaf(leaf, sc, u, true),
      lowerWithin: (ctx, body, sc) => {
        if (body.kind === 'integral') return this.error('unsupported', `an integral's body cannot hold another integral; for hierarchical integral circuits write circuit { region ...  integral ... }`, body.span);
        if (body.kind !== 'leaf' && body.kind !== 'product') return this.error('unsupported', `the body of an integral is a distribution or a product { ... } of them, whose parameters read the latent`, body.span);
        const outer = this.latent;
        this.latent = ctx;
        try {
          return this.lower(body, sc, 1);
        } finally {
          this.latent = outer;
        }
      },
    };
  }
}
