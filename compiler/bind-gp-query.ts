// Binding for models of outputs given inputs (Gaussian processes): predict(x = ...), p(y | x = ...),
// mean(y | x = ...) and logp(y = v | x = ...). Every input must be given; a value may be a
// vector (several points at once); vectors broadcast against single values.
import type { IRVariable } from '../ir/types.js';
import type { Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { Problems, type BoundBody } from './bind-values.js';
import type { QuerySpec, SpecValue } from './query-spec.js';

const OPTIONS = ['samples', 'seed', 'approx'];
export const MAX_POINTS = 100000;
export const MAX_GP_SAMPLES = 10000;

/** The short noun of a conditional model's family for messages: 'GP' for a Gaussian process, else the family's noun without its article ('mixture of experts'). */
export function conditionalNoun(what: string | undefined): string {
  return what === undefined || what === 'a Gaussian process' ? 'GP' : what.replace(/^an? /, '');
}

export function bindGpSpec(spec: QuerySpec, vars: readonly IRVariable[], roles: { readonly inputs: readonly number[]; readonly outputs: readonly number[] }, problems: Problems, what?: string): BoundBody | undefined {
  const noun = conditionalNoun(what);
  const article = /^[aeiou]/i.test(noun) ? 'an' : 'a';
  const inputs = roles.inputs.map((i) => vars[i]!.name);
  const outputs = roles.outputs.map((i) => vars[i]!.name);
  const T = outputs.length;
  const example = inputs.map((n) => `${n} = ...`).join(', ');

  /** A number or a vector of numbers (flattened), or undefined after a diagnostic. */
  const numbers = (a: SpecValue): number[] | undefined => {
    if (a.value === undefined) return undefined; // its expression failed: already reported
    const flat = (Array.isArray(a.value) ? a.value.flat(2) : [a.value]) as unknown[];
    if (flat.length === 0 || flat.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      return problems.add(`'${a.name}' needs a finite number or a vector of them`, a.valueSpan ?? a.span, 'type-mismatch');
    }
    return flat as number[];
  };

  /** A categorical label's levels by name ("b", or a vector of them) as their indices; undefined when not level names. */
  const levelIndices = (a: SpecValue, v: IRVariable): number[] | undefined => {
    if (v.type.kind !== 'categorical' || a.value === undefined) return undefined;
    const flat = (Array.isArray(a.value) ? a.value.flat(2) : [a.value]) as unknown[];
    if (!flat.some((x) => typeof x === 'string')) return undefined;
    const levels = v.type.levels;
    const out: number[] = [];
    for (const x of flat) {
      const k = typeof x === 'string' ? levels.indexOf(x) : -1;
      if (k < 0) return problems.add(`'${a.name}' is one of the levels ${levels.map((l) => `"${l}"`).join(', ')}, got ${JSON.stringify(x)}`, a.valueSpan ?? a.span, 'bad-value', suggestionHint(String(x), levels));
      out.push(k);
    }
    return out;
  };

  /** The points the input assignments give (point-major, in the order of the inputs). */
  const points = (given: readonly SpecValue[], span: Span | undefined): number[][] | undefined => {
    const byName = new Map<string, number[] | undefined>();
    for (const a of given) {
      if (!inputs.includes(a.name)) {
        const what = outputs.includes(a.name) ? `'${a.name}' is the ${noun}'s output, not an input` : `'${a.name}' is not an input of this ${noun} (its inputs: ${inputs.join(', ')})`;
        problems.add(what, a.nameSpan ?? a.span, 'unknown-name', suggestionHint(a.name, inputs));
        continue;
      }
      if (byName.has(a.name)) {
        problems.add(`'${a.name}' is given twice`, a.nameSpan ?? a.span);
        continue;
      }
      byName.set(a.name, numbers(a));
    }
    const missing = inputs.filter((n) => !byName.has(n));
    if (missing.length) problems.add(`give every input of the ${noun}: ${missing.map((n) => `${n} = ...`).join(', ')}`, span);
    if (missing.length || [...byName.values()].some((v) => v === undefined)) return undefined;
    const values = [...byName.entries()] as [string, number[]][];
    const m = Math.max(...values.map(([, v]) => v.length));
    const bad = values.find(([, v]) => v.length !== 1 && v.length !== m);
    if (bad) return problems.add(`the inputs' vectors differ in length (${bad[0]} has ${bad[1].length}, another ${m})`, span);
    if (m > MAX_POINTS) return problems.add('at most 100,000 points per query', span);
    return Array.from({ length: m }, (_, i) => inputs.map((n) => {
      const v = byName.get(n)!;
      return v[v.length === 1 ? 0 : i]!;
    }));
  };

  switch (spec.kind) {
    case 'predict': {
      const opts = spec.items.filter((a) => OPTIONS.includes(a.name) && !inputs.includes(a.name));
      const x = points(spec.items.filter((a) => !opts.includes(a)), spec.span);
      let samples = 0;
      let seed = 0;
      let approx: 'probit' | undefined;
      for (const o of opts) {
        if (o.name === 'approx') {
          // approx = "probit": scikit-learn's approximation of a logit GP classifier's probabilities; "quadrature": the default.
          if (o.value === 'probit') approx = 'probit';
          else if (o.value !== 'quadrature') problems.add('approx is "quadrature" (the default) or "probit"', o.valueSpan ?? o.span);
          continue;
        }
        const v = numbers(o);
        if (!v) continue;
        if (v.length !== 1 || !Number.isInteger(v[0]) || v[0]! < 0) {
          problems.add(`${o.name} must be a whole number >= 0`, o.valueSpan ?? o.span);
          continue;
        }
        if (o.name === 'samples') samples = v[0]!;
        else seed = v[0]!;
      }
      if (samples > MAX_GP_SAMPLES) problems.add('at most 10,000 samples', spec.span);
      return x && { kind: 'predict', points: x, samples, seed, ...(approx ? { approx } : {}) };
    }
    case 'distribution':
    case 'mean': {
      const targets = spec.target.length ? spec.target : outputs.map((name) => ({ name, span: undefined }));
      const bad = targets.find((t) => !outputs.includes(t.name));
      if (bad) {
        problems.add(`${article} ${noun} answers about its output${T > 1 ? 's' : ''} (${outputs.join(', ')}) given its inputs; '${bad.name}' is not one`, bad.span ?? spec.span, 'bad-query', `e.g. p(${outputs[0]} | ${example})`);
      }
      const x = points(spec.given, spec.span);
      if (x && x.length !== 1) problems.add(`${spec.form}(...) takes one point; use predict(...) for several`, spec.span);
      if (bad || !x) return undefined;
      return { kind: 'predictive', summary: spec.kind, outputs: targets.map((t) => roles.outputs[outputs.indexOf(t.name)]!), point: x[0]! };
    }
    case 'density': {
      if (spec.intervals.length) return problems.add(`${article} ${noun} answers densities of values, not of intervals`, spec.span);
      const ys = spec.target.filter((a) => outputs.includes(a.name));
      const rest = [...spec.target.filter((a) => !outputs.includes(a.name)), ...spec.given];
      if (ys.length !== 1) return problems.add(`write ${spec.log ? 'logp' : 'p'}(${outputs[0]} = value | ${example})`, spec.span);
      const y = ys[0]!;
      const values = levelIndices(y, vars[roles.outputs[outputs.indexOf(y.name)]!]!) ?? numbers(y);
      const x = points(rest, spec.span);
      if (!values || !x) return undefined;
      if (values.length !== 1 && values.length !== x.length) return problems.add(`'${y.name}' has ${values.length} values for ${x.length} points`, y.span);
      return { kind: 'predictive-density', log: spec.log, output: roles.outputs[outputs.indexOf(y.name)]!, values, points: x };
    }
    default:
      return problems.add(`${article} ${noun} answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not ${spec.form}(...)`, spec.formSpan ?? spec.span, 'unsupported-query', `e.g. predict(${example})`);
  }
}
