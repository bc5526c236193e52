// Queries of a fitted GP: predict(x = ...) (mean, sd of f, sd of a new y, optional joint
// posterior samples), p(y | x = ...) and mean(y | x = ...) (the predictive distribution
// summarized), logp(y = v | x = ...) (log predictive density). Input values may be vectors
// to ask about several points at once.
import type { Assignment, QueryAst, Span } from '../../language/index.js';
import type { Diagnostic } from '../../language/index.js';
import { ConstantScope } from '../../compiler/constants.js';
import { suggestionHint } from '../../language/index.js';
import { Rng } from '../../stdlib/random.js';
import type { PredictRow, QueryAnswer } from '../queries/answer.js';
import { QueryError, queryError, type QueryContext } from '../queries/evidence.js';
import type { ModelState } from '../state.js';
import { gpNode } from './fit.js';
import { logPredictive, predict, samplePosterior } from './predict.js';

const OPTIONS = ['samples', 'seed'];

export function gpQuery(state: ModelState, q: QueryAst, ctx: QueryContext): QueryAnswer {
  const node = gpNode(state.graph);
  const outputs = (node.outputs ?? [node.output]).map((i) => ctx.vars[i]!.name);
  const inputs = node.inputs.map((i) => ctx.vars[i]!.name);
  const consts = new ConstantScope(ctx.file);
  for (const [k, v] of ctx.constants) consts.define(k, v);
  const evalNum = (a: Assignment): number[] => {
    const diags: Diagnostic[] = [];
    const v = consts.evaluate(a.value, diags);
    if (v === undefined) throw new QueryError(diags);
    const flat = (Array.isArray(v) ? v.flat(2) : [v]) as unknown[];
    if (flat.length === 0 || flat.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw queryError(ctx, `'${a.name.name}' needs a finite number or a vector of them`, a.value.span, 'type-mismatch');
    return flat as number[];
  };
  /** The points given by input assignments (every input needed; vectors broadcast). */
  const points = (given: readonly Assignment[], span: Span): { x: number[][]; m: number } => {
    const byName = new Map<string, number[]>();
    for (const a of given) {
      if (!inputs.includes(a.name.name)) {
        const what = outputs.includes(a.name.name) ? `'${a.name.name}' is the GP's output, not an input` : `'${a.name.name}' is not an input of this GP (its inputs: ${inputs.join(', ')})`;
        throw queryError(ctx, what, a.name.span, 'unknown-name', suggestionHint(a.name.name, inputs));
      }
      if (byName.has(a.name.name)) throw queryError(ctx, `'${a.name.name}' is given twice`, a.name.span);
      byName.set(a.name.name, evalNum(a));
    }
    const missing = inputs.filter((n) => !byName.has(n));
    if (missing.length) throw queryError(ctx, `give every input of the GP: ${missing.map((n) => `${n} = ...`).join(', ')}`, span, 'bad-query');
    const lens = [...byName.values()].map((v) => v.length);
    const m = Math.max(...lens);
    const bad = [...byName.entries()].find(([, v]) => v.length !== 1 && v.length !== m);
    if (bad) throw queryError(ctx, `the inputs' vectors differ in length (${bad[0]} has ${bad[1].length}, another ${m})`, span);
    if (m > 100000) throw queryError(ctx, 'at most 100,000 points per query', span);
    return { x: Array.from({ length: m }, (_, i) => inputs.map((n) => byName.get(n)![byName.get(n)!.length === 1 ? 0 : i]!)), m };
  };
  const T = outputs.length;
  /** Point matrix over (point, task) pairs: tasks listed, for every point. */
  const matrix = (x: number[][], tasks: number[]): Float64Array => {
    const stride = inputs.length + (T > 1 ? 1 : 0);
    const out = new Float64Array(x.length * tasks.length * stride);
    let r = 0;
    for (const p of x) {
      for (const t of tasks) {
        out.set(p, r * stride);
        if (T > 1) out[r * stride + inputs.length] = t;
        r++;
      }
    }
    return out;
  };
  const run = (): QueryAnswer => {
    switch (q.kind) {
      case 'predict': {
        const opts = q.items.filter((a) => OPTIONS.includes(a.name.name) && !inputs.includes(a.name.name));
        const given = q.items.filter((a) => !opts.includes(a));
        const { x, m } = points(given, q.span);
        let samples = 0;
        let seed = 0;
        for (const o of opts) {
          const v = evalNum(o);
          if (v.length !== 1 || !Number.isInteger(v[0]) || v[0]! < 0) throw queryError(ctx, `${o.name.name} must be a whole number >= 0`, o.value.span);
          if (o.name.name === 'samples') samples = v[0]!;
          else seed = v[0]!;
        }
        if (samples > 10000) throw queryError(ctx, 'at most 10,000 samples', q.span);
        const tasks = Array.from({ length: T }, (_, t) => t);
        const xs = matrix(x, tasks);
        const p = predict(state, xs, m * T, { cov: samples > 0 });
        const rows: PredictRow[] = [];
        for (let i = 0; i < m * T; i++) {
          const mean = p.mean[i]!;
          const sd = Math.sqrt(p.varF[i]!);
          rows.push({ x: x[Math.floor(i / T)]!, output: outputs[i % T]!, mean, sd, lower95: mean - 1.96 * sd, upper95: mean + 1.96 * sd, sd_y: Math.sqrt(p.varY[i]!) });
        }
        const draws = samples > 0 ? samplePosterior(p, samples, new Rng(seed)).map((d) => Array.from(d)) : undefined;
        return { kind: 'predict', inputs, rows, ...(draws ? { samples: draws } : {}), ...(p.note ? { note: p.note } : {}) };
      }
      case 'distribution':
      case 'mean': {
        const targets = q.target.length ? q.target.map((t) => t.name) : outputs;
        const bad = targets.find((t) => !outputs.includes(t));
        if (bad) {
          const id = q.target.find((t) => t.name === bad);
          throw queryError(ctx, `a GP answers about its output${T > 1 ? 's' : ''} (${outputs.join(', ')}) given its inputs; '${bad}' is not one`, id?.span ?? q.span, 'bad-query', `e.g. p(${outputs[0]} | ${inputs.map((n) => `${n} = ...`).join(', ')})`);
        }
        const { x, m } = points(q.given, q.span);
        if (m !== 1) throw queryError(ctx, `${q.kind}(...) takes one point; use predict(...) for several`, q.span);
        const tasks = targets.map((t) => outputs.indexOf(t));
        const p = predict(state, matrix(x, tasks), tasks.length);
        const summary = targets.map((name, i) => ({ name, mean: p.mean[i]!, ...(q.kind === 'distribution' ? { sd: Math.sqrt(p.varY[i]!) } : {}) }));
        if (q.kind === 'mean') return { kind: 'mean', summary };
        return { kind: 'distribution', vars: targets, summary };
      }
      case 'density': {
        if (q.intervals?.length) throw queryError(ctx, 'a GP answers densities of values, not of intervals', q.span);
        const ys = q.target.filter((a) => outputs.includes(a.name.name));
        const xsGiven = [...q.target.filter((a) => !outputs.includes(a.name.name)), ...q.given];
        if (ys.length !== 1) throw queryError(ctx, `write ${q.log ? 'logp' : 'p'}(${outputs[0]} = value | ${inputs.map((n) => `${n} = ...`).join(', ')})`, q.span);
        const yv = evalNum(ys[0]!);
        const { x, m } = points(xsGiven, q.span);
        if (yv.length !== 1 && yv.length !== m) throw queryError(ctx, `'${ys[0]!.name.name}' has ${yv.length} values for ${m} points`, ys[0]!.span);
        const t = outputs.indexOf(ys[0]!.name.name);
        const p = predict(state, matrix(x, [t]), m);
        const lp = logPredictive(p, Array.from({ length: m }, (_, i) => yv[yv.length === 1 ? 0 : i]!));
        const total = lp.reduce((a, b) => a + b, 0);
        return { kind: 'density', log: q.log, value: q.log ? total : Math.exp(total), logValue: total, conditional: true };
      }
      default:
        throw queryError(ctx, `a GP answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not ${q.kind}`, q.span, 'bad-query', `e.g. predict(${inputs.map((n) => `${n} = ...`).join(', ')})`);
    }
  };
  const answer = run();
  // Inputs far outside what the kernel can evaluate (x = 1e300) give NaN: say so, never print it.
  const numbers = answer.kind === 'predict' ? answer.rows.flatMap((r) => [r.mean, r.sd, r.sd_y]) : answer.kind === 'density' ? [answer.logValue] : answer.kind === 'distribution' || answer.kind === 'mean' ? answer.summary.flatMap((v) => [v.mean ?? 0, v.sd ?? 0]) : [];
  if (numbers.some((v) => Number.isNaN(v))) throw queryError(ctx, 'the kernel cannot be evaluated at these inputs (they are too far out for float64): give values nearer the data', q.span, 'degenerate');
  return answer;
}
