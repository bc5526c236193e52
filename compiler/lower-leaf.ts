// Leaves of a model body (lower.ts): a stdlib distribution checked against its variables' types and
// arguments, a named model (shared as one node where used again over the same variables), or a
// family's own component (a KDE part).
import type { Arg, ModelExpr } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { distributions, getDistribution } from '../stdlib/distributions/index.js';
import type { ArgValue, LayerContext } from '../stdlib/distributions/index.js';
import { asNumeric } from './constants.js';
import { paramValueProblem } from './param-values.js';
import { readLeafArg } from './leaf-args.js';
import { type Parameterization } from '../ir/types.js';
import { big, describeType, levelsOf, repeat, show, src } from './lower-helpers.js';
import { lowerLatentLeaf } from './lower-integral.js';
import { LoweringScope, type ComponentLowering } from './lower-scope.js';

export abstract class LeafLowering extends LoweringScope {
  /** A family's own model as a part of a mixture or a product: one family node (its family checks the arguments). */
  protected lowerComponent(lower: ComponentLowering, expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number): string | undefined {
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

  protected lowerLeaf(expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number, plain = false): string | undefined {
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
}
