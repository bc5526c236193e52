// Kernel expressions of a gp block (lower-gp.ts): numbers multiplying kernels become positive
// scale parameters, a number alone a constant kernel, calls stdlib kernels with their arguments
// checked (named or positional, `in [lo, hi]` bounds, `fixed`, ARD vectors, structural options),
// and the coregionalization kernel of a multitask GP.
import type { Span } from '../language/index.js';
import type { KernelArg, KernelAst } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { DEFAULT_BOUNDS, getKernel, USER_KERNELS, type KernelContext } from '../stdlib/kernels/index.js';
import { asNumeric } from './constants.js';
import { type KernelExpr } from '../ir/types.js';
import { GpScope } from './lower-gp-scope.js';

/** The values a positive kernel hyperparameter or scale may take: beyond, kernel arithmetic overflows float64. */
const POSITIVE_RANGE: readonly [number, number] = [1e-100, 1e100];

export class GpKernelLowering extends GpScope {
  protected defaultKernel(span: Span): KernelExpr {
    const k = this.call({ kind: 'call', name: { name: 'rbf', span }, args: [], hasParens: false, span });
    const factor = this.add(`${this.prefix}.scale_${this.scales++}`, [], [1], { positive: true, init: 'data', span });
    return { op: 'scale', factor, kernel: k! };
  }

  /** A kernel AST -> KernelExpr (sums of scaled products). */
  protected kernel(k: KernelAst): KernelExpr | undefined {
    switch (k.kind) {
      case 'sum': {
        const terms = k.terms.map((t) => this.kernel(t));
        if (terms.some((t) => t === undefined)) return undefined;
        return { op: 'sum', terms: terms as KernelExpr[] };
      }
      case 'number':
        // A number on its own is a constant covariance.
        return { op: 'base', name: 'constant', params: { value: this.scale(k) } };
      case 'call':
        return this.call(k);
      case 'product': {
        const nums = k.terms.filter((t) => t.kind === 'number');
        const rest = k.terms.filter((t) => t.kind !== 'number');
        if (rest.length === 0) return this.kernel({ kind: 'number', value: nums.reduce((a, t) => a * (t.kind === 'number' ? t.value : 1), 1), span: k.span });
        const parts = rest.map((t) => this.kernel(t));
        if (parts.some((t) => t === undefined)) return undefined;
        const inner: KernelExpr = parts.length === 1 ? parts[0]! : { op: 'product', terms: parts as KernelExpr[] };
        if (nums.length === 0) return inner;
        if (nums.length > 1) return this.error('write one number per product of kernels (e.g. 6 * rbf(...), not 2 * 3 * rbf(...))', k.span);
        return { op: 'scale', factor: this.scale(nums[0] as Extract<KernelAst, { kind: 'number' }>), kernel: inner };
      }
    }
  }

  protected scale(n: Extract<KernelAst, { kind: 'number' }>): string {
    const b = this.bounds(n.bounds, n.value, n.span);
    if (!(n.value > 0) || !Number.isFinite(n.value)) this.error(`a kernel's scale must be a finite number > 0, got ${n.value}`, n.span);
    else if (n.value < POSITIVE_RANGE[0] || n.value > POSITIVE_RANGE[1]) this.error(`a kernel's scale must be between ${POSITIVE_RANGE[0]} and ${POSITIVE_RANGE[1]}, got ${n.value}: beyond, the kernel matrix overflows float64`, n.span);
    return this.add(`${this.prefix}.scale_${this.scales++}`, [], [n.value], { positive: true, bounds: b ?? DEFAULT_BOUNDS, fixed: !!n.fixed, init: 'given', span: n.span, ...(n.prior ? { prior: n.prior } : {}) });
  }

  protected bounds(b: KernelArg['bounds'], value: number | number[] | undefined, span: Span): readonly [number, number] | undefined {
    if (!b) return undefined;
    const lo = this.consts.evaluate(b.lower, this.diags);
    const hi = this.consts.evaluate(b.upper, this.diags);
    if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return this.error('bounds must be two finite numbers with lower < upper', b.span);
    const vs = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (vs.some((v) => v < lo || v > hi)) return this.error(`the initial value lies outside its bounds [${lo}, ${hi}]`, span);
    return [lo, hi];
  }

  protected call(k: Extract<KernelAst, { kind: 'call' }>): KernelExpr | undefined {
    const name = k.name.name;
    const kern = USER_KERNELS.includes(name) ? getKernel(name) : undefined;
    if (!kern) {
      const isConst = this.consts.has(name);
      if (isConst && !k.hasParens) {
        const v = this.consts.evaluate({ kind: 'name', name, span: k.span }, this.diags);
        if (typeof v === 'number') return this.kernel({ kind: 'number', value: v, span: k.span });
      }
      return this.error(`unknown kernel '${name}' (kernels: ${USER_KERNELS.join(', ')})`, k.name.span, suggestionHint(name, USER_KERNELS), 'unknown-name');
    }
    const options: Record<string, number> = {};
    const given = new Map<string, KernelArg>();
    let ard = false;
    for (const a of k.args) {
      let argName = a.name?.name;
      if (!argName) {
        // Positional: the flag `ard`, or the kernel's main parameter.
        if (a.value.kind === 'name' && a.value.name === 'ard' && !this.consts.has('ard')) {
          ard = true;
          continue;
        }
        if (!kern.positional) {
          this.error(`${name} takes named arguments only (${[...kern.params.map((p) => p.name), ...(kern.options ?? []).map((o) => o.name)].join(', ')})`, a.span, undefined, 'unknown-argument');
          continue;
        }
        argName = kern.positional;
      }
      const opt = kern.options?.find((o) => o.name === argName);
      const spec = kern.params.find((p) => p.name === argName || p.aliases?.includes(argName!));
      if (opt) {
        const v = this.consts.evaluate(a.value, this.diags);
        if (typeof v !== 'number' || !Number.isInteger(v) || v < opt.min) this.error(`${name}'s ${opt.name} must be a whole number >= ${opt.min} (${opt.description})`, a.span);
        else if (a.bounds || a.fixed) this.error(`${opt.name} is a structure size: 'fixed' and bounds do not apply`, a.span);
        else options[opt.name] = v;
        continue;
      }
      if (!spec) {
        const known = [...kern.params.map((p) => p.name), ...(kern.options ?? []).map((o) => o.name)];
        this.error(`${name} has no argument '${argName}' (it takes ${known.join(', ')})`, a.name?.span ?? a.span, suggestionHint(argName, known), 'unknown-argument');
        continue;
      }
      if (given.has(spec.name)) this.error(`${spec.name} is given twice`, a.span, undefined, 'duplicate-name');
      given.set(spec.name, a);
    }
    for (const o of kern.options ?? []) if (options[o.name] === undefined) options[o.name] = o.default;
    const ctx: KernelContext = { dims: this.D, options };
    const id = `${this.prefix}.${kern.name}_${this.kernels++}`;
    const params: Record<string, string> = {};
    for (const spec of kern.params) {
      const a = given.get(spec.name);
      let shape = spec.shape(ctx);
      const size = (s: number[]): number => s.reduce((x, y) => x * y, 1);
      let value: number[] | undefined;
      if (a) {
        const raw = this.consts.evaluate(a.value, this.diags);
        const num = raw === undefined ? undefined : asNumeric(raw);
        if (num === undefined) {
          if (raw !== undefined) this.error(`${name}'s ${spec.name} must be a number or a vector of numbers`, a.value.span);
          continue;
        }
        const flat = (Array.isArray(num) ? (num as (number | number[])[]).flat() : [num]) as number[];
        if (spec.ard && flat.length === this.D && this.D > 1) shape = [this.D];
        else if (flat.length !== size(shape)) {
          this.error(`${name}'s ${spec.name} needs ${size(shape)} value(s)${spec.ard ? ` (or ${this.D}, one per input)` : ''}, got ${flat.length}`, a.value.span);
          continue;
        }
        if (flat.some((v) => !Number.isFinite(v))) this.error(`${name}'s ${spec.name} must be finite`, a.value.span);
        else if (spec.positive && flat.some((v) => !(v > 0))) this.error(`${name}'s ${spec.name} must be > 0`, a.value.span);
        else if (spec.positive && flat.some((v) => v < POSITIVE_RANGE[0] || v > POSITIVE_RANGE[1])) this.error(`${name}'s ${spec.name} must be between ${POSITIVE_RANGE[0]} and ${POSITIVE_RANGE[1]}: beyond, the kernel's float64 arithmetic overflows and its values turn NaN`, a.value.span);
        value = flat;
      } else if (spec.ard && ard) shape = [this.D];
      const b = a ? this.bounds(a.bounds, value, a.span) : undefined;
      const n = size(shape);
      params[spec.name] = this.add(`${id}.${spec.name}`, shape, value ?? new Array<number>(n).fill(spec.init.kind === 'const' ? spec.init.value : 1), {
        positive: spec.positive,
        bounds: b ?? spec.bounds ?? (spec.positive ? DEFAULT_BOUNDS : undefined),
        fixed: !!a?.fixed,
        init: value ? 'given' : spec.init.kind === 'const' ? 'given' : 'data',
        span: a?.span ?? k.span,
        ...(a?.prior ? { prior: a.prior } : {}),
      });
    }
    const dims = this.D > 0 ? Array.from({ length: this.D }, (_, i) => i) : [];
    return { op: 'base', name: kern.name, params, ...(Object.keys(options).length ? { options } : {}), ...(dims.length ? { dims } : {}) };
  }

  protected coregion(T: number, rank: number, span: Span): KernelExpr {
    const id = `${this.prefix}.coregion_${this.kernels++}`;
    // W starts at 1/sqrt(rank) with small distinct offsets so tasks are correlated but not identical.
    const w = Array.from({ length: T * rank }, (_, i) => 1 / Math.sqrt(rank) + 0.1 * ((i % 3) - 1));
    return {
      op: 'base',
      name: 'coregion',
      params: {
        W: this.add(`${id}.W`, [T, rank], w, { positive: false, bounds: [-1e3, 1e3], init: 'given', span }),
        kappa: this.add(`${id}.kappa`, [T], new Array<number>(T).fill(0.1), { positive: true, bounds: [1e-8, 1e5], init: 'given', span }),
      },
      options: { tasks: T, rank },
      dims: [this.D],
    };
  }
}
