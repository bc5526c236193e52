// The shared state of a gp block's lowering (lower-gp.ts, lower-gp-kernel.ts): its diagnostics,
// the IR parameters it adds (with bounds and priors), the constants in scope and the name counters.
import type { Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import type { PriorAst } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { DEFAULT_BOUNDS } from '../stdlib/kernels/index.js';
import { ConstantScope } from './constants.js';
import { type IRParam, type IRVariable, type ParamPrior } from '../ir/types.js';
import { src } from './lower-helpers.js';
import type { CompiledProgram } from './program.js';

/** Diagnostics, parameters and counters of one gp block's lowering. */
export class GpScope {
  readonly diags: Diagnostic[] = [];
  readonly params: Record<string, IRParam> = {};
  protected readonly consts: ConstantScope;
  protected kernels = 0;
  protected scales = 0;
  protected D = 1;
  protected prefix = 'n0';

  constructor(
    protected readonly program: CompiledProgram,
    protected readonly vars: readonly IRVariable[],
  ) {
    this.consts = new ConstantScope(program.file);
    for (const [k, v] of program.constants) this.consts.define(k, v);
  }

  protected error(message: string, span: Span, hint?: string, code = 'bad-value'): undefined {
    this.diags.push({ severity: 'error', code, message, span, file: this.program.file, ...(hint ? { hint } : {}) });
    return undefined;
  }

  protected add(name: string, shape: number[], value: number[], opts: { positive: boolean; bounds?: readonly [number, number]; fixed?: boolean; init: 'given' | 'data'; span: Span; prior?: PriorAst }): string {
    const param = opts.positive || opts.bounds ? { kind: 'bounded' as const, lower: (opts.bounds ?? DEFAULT_BOUNDS)[0], upper: (opts.bounds ?? DEFAULT_BOUNDS)[1] } : { kind: 'identity' as const };
    const prior = opts.prior ? this.prior(opts.prior, opts.positive) : undefined;
    this.params[name] = { name, shape, param, value, fixed: !!opts.fixed, init: opts.init, source: src(opts.span), ...(prior ? { prior } : {}) };
    return name;
  }

  /** `prior normal(m, sd)`, `prior lognormal(mu, sigma)` (positive values) or `prior gamma(shape, rate)` (positive values). */
  protected prior(p: PriorAst, positive: boolean): ParamPrior | undefined {
    const kinds = ['normal', 'lognormal', 'gamma'];
    const kind = p.dist.name;
    if (!kinds.includes(kind)) return this.error(`unknown prior '${kind}' (priors: normal(mean, sd), lognormal(mu, sigma), gamma(shape, rate))`, p.dist.span, suggestionHint(kind, kinds), 'unknown-name');
    const args = p.args.map((e) => this.consts.evaluate(e, this.diags));
    if (args.length !== 2 || args.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return this.error(`${kind}(...) takes two finite numbers`, p.span);
    const [a, b] = args as number[];
    if (!(b! > 0) || (kind === 'gamma' && !(a! > 0))) return this.error(kind === 'gamma' ? 'gamma(shape, rate) needs shape > 0 and rate > 0' : `${kind}'s second argument (its spread) must be > 0`, p.span);
    if (kind !== 'normal' && !positive) return this.error(`a ${kind} prior is for positive parameters; use normal(mean, sd)`, p.span);
    return { kind: kind as ParamPrior['kind'], a: a!, b: b! };
  }
}
