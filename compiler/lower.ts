// Lowers a model body over known variables to an IRGraph, type-checking as it goes: every
// leaf must accept its variables' types, every argument must be known and valid. A
// `mixture(k) of C` becomes C replicated k times (units) under one mixing node, so a GMM is
// one input layer of k Normal units and one mixing node: the tensorized form from the start. The
// leaves are lower-leaf.ts, the shared state and the integral host lower-scope.ts.
import { freeze } from 'immer';
import type { ModelExpr } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { asNumeric } from './constants.js';
import { MAX_PARAMETER_VALUES } from './cost.js';
import { IR_VERSION, type FamilyNode, type IRGraph, type IRVariable } from '../ir/types.js';
import type { CompiledProgram } from './program.js';
import { simplify } from './passes/simplify.js';
import { hasIntegrals } from './passes/quadrature.js';
import { lowerCircuit } from './lower-circuit.js';
import { lowerSquare, squaredStructure, structureSpan } from './lower-square.js';
import { big, repeat, show, src } from './lower-helpers.js';
import { finishIntegrals, lowerIntegral } from './lower-integral.js';
import { NetPool } from '../circuits/integral/nets.js';
import type { AnalyticReport } from './passes/analytic-integrals.js';
import { LeafLowering } from './lower-leaf.js';
import type { LowerOptions } from './lower-scope.js';

export type { ComponentLowering, ComponentRequest, LowerOptions } from './lower-scope.js';

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

class Lowering extends LeafLowering {
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

  private lowerIntegral(expr: Extract<ModelExpr, { kind: 'integral' }>, scope: readonly number[], units: number): string | undefined {
    if (this.latent) return this.error('unsupported', `an integral's body cannot hold another integral; for hierarchical integral circuits write circuit { region ...  integral ... }`, expr.span);
    if (this.signed) return this.error('unsupported', `integral units cannot be squared`, expr.span);
    return lowerIntegral(this.integralHost(), expr, scope, units, new NetPool('none', (p) => void (this.params[p.name] = p)));
  }
}
