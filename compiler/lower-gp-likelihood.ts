// Lowers a gp block's `likelihood = NAME(link = LINK, PARAM = value [in [lo, hi]] [fixed])`
// item: bernoulli(link = logit | probit), categorical(classes = C) (softmax), poisson, student_t(scale = ..., df = 4), or gaussian
// (the default: no likelihood on the node, `noise` is its variance). The likelihood's
// parameters become IR parameters `n0.lik_NAME`; options (df) are fixed ones.
import type { Diagnostic, GpItem, KernelArg, Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { getLikelihood, LIKELIHOOD_NAMES } from '../stdlib/likelihoods/index.js';
import type { GPLikelihood, IRParam } from '../ir/types.js';
import type { ConstantScope } from './constants.js';
import { src } from './lower-helpers.js';

export interface LikelihoodLowering {
  readonly prefix: string;
  readonly consts: ConstantScope;
  readonly diags: Diagnostic[];
  readonly params: Record<string, IRParam>;
  error(message: string, span: Span, hint?: string, code?: string): undefined;
}

/** undefined with no error: gaussian (or no item). `null`: an error was reported. */
export function lowerLikelihood(item: GpItem | undefined, t: LikelihoodLowering): GPLikelihood | undefined | null {
  if (!item) return undefined;
  const v = item.value;
  const usage = `likelihood is one of ${LIKELIHOOD_NAMES.join(', ')}, e.g. likelihood = bernoulli(link = logit)`;
  if (v.kind !== 'call') return t.error(usage, v.span) ?? null;
  const name = v.name.name;
  if (name === 'gaussian') {
    if (v.args.length) t.error('gaussian takes no arguments here: its variance is the gp block\'s noise item', v.span, undefined, 'unknown-argument');
    return v.args.length ? null : undefined;
  }
  const lik = getLikelihood(name);
  if (!lik) return t.error(`unknown likelihood '${name}' (${usage})`, v.name.span, suggestionHint(name, LIKELIHOOD_NAMES), 'unknown-name') ?? null;
  let link = lik.links[0]!;
  const given = new Map<string, KernelArg>();
  let bad = false;
  let classes: number | undefined;
  for (const a of v.args) {
    const argName = a.name?.name;
    if (lik.multiclass && argName === 'classes') {
      // The number of classes: needed for int labels 0..C-1 (a categorical column's levels give it).
      const x = t.consts.evaluate(a.value, t.diags);
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 2 || x > 1000) {
        t.error(`${name}'s classes is a whole number of classes between 2 and 1000`, a.value.span);
        bad = true;
      } else classes = x;
      continue;
    }
    if (argName === 'link') {
      const e = a.value;
      const l = e.kind === 'name' ? e.name : undefined;
      if (!l || !lik.links.includes(l)) {
        t.error(`${name}'s link is ${lik.links.join(' or ')}`, a.value.span, l ? suggestionHint(l, lik.links) : undefined, 'unknown-name');
        bad = true;
      } else link = l;
      continue;
    }
    const spec = lik.params.find((p) => p.name === argName);
    if (!spec) {
      const known = ['link', ...(lik.multiclass ? ['classes'] : []), ...lik.params.map((p) => p.name)];
      t.error(`${name} has no argument '${argName ?? '(positional)'}' (it takes ${known.join(', ')}, by name)`, a.name?.span ?? a.span, argName ? suggestionHint(argName, known) : undefined, 'unknown-argument');
      bad = true;
      continue;
    }
    given.set(spec.name, a);
  }
  const params: string[] = [];
  for (const spec of lik.params) {
    const a = given.get(spec.name);
    const pname = `${t.prefix}.lik_${spec.name}`;
    let value: number | undefined;
    let bounds = spec.bounds;
    if (a) {
      const x = t.consts.evaluate(a.value, t.diags);
      if (typeof x !== 'number' || !Number.isFinite(x) || !(x > 0)) {
        t.error(`${name}'s ${spec.name} (${spec.description}) must be a finite number > 0`, a.value.span);
        bad = true;
        continue;
      }
      if (a.bounds) {
        const lo = t.consts.evaluate(a.bounds.lower, t.diags);
        const hi = t.consts.evaluate(a.bounds.upper, t.diags);
        if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo > 0) || !(lo < hi) || !Number.isFinite(hi) || x < lo || x > hi) {
          t.error('bounds must be two finite numbers 0 < lower < upper around the value', a.bounds.span);
          bad = true;
          continue;
        }
        bounds = [lo, hi];
      }
      if (a.prior) {
        t.error(`priors on a likelihood's parameters are not supported; give bounds with 'in [lo, hi]' or fix it`, a.prior.span);
        bad = true;
      }
      if (!spec.learnable && a.bounds) {
        t.error(`${name}'s ${spec.name} is an option (always fixed): bounds and priors do not apply`, a.span);
        bad = true;
      }
      value = x;
    }
    const fixed = !spec.learnable || !!a?.fixed;
    const init = value !== undefined ? 'given' : spec.init === 'data' ? 'data' : 'given';
    const start = value ?? (typeof spec.init === 'number' ? spec.init : 1);
    t.params[pname] = { name: pname, shape: [], param: { kind: 'bounded', lower: bounds[0], upper: bounds[1] }, value: [Math.min(bounds[1], Math.max(bounds[0], start))], fixed, init, source: src(a?.span ?? v.span) };
    params.push(pname);
  }
  return bad ? null : { name: lik.name, link, params, ...(classes !== undefined ? { classes } : {}) };
}
