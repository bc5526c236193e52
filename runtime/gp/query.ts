// Queries of a fitted GP: predict(x = ...) (mean, sd of f, sd of a new y, optional joint
// posterior samples), p(y | x = ...) and mean(y | x = ...) (the predictive distribution
// summarized), logp(y = v | x = ...) (log predictive density). Input values may be vectors
// to ask about several points at once.
import type { BoundQuery } from '../../ir/query.js';
import { Rng } from '../../stdlib/random.js';
import type { PredictRow, QueryAnswer } from '../queries/answer.js';
import { unanswered } from '../queries/cells.js';
import { queryError } from '../queries/evidence.js';
import type { ModelState } from '../state.js';
import { gpNode } from './fit.js';
import { GPCore } from './core.js';
import { gpLikelihood } from './laplace.js';
import { logPredictiveLik, ySummary } from './likelihood-summary.js';
import { logPredictive, predict, samplePosterior } from './predict.js';
import { classColumns, classSummary } from './multiclass-predict.js';

/** The binder (compiler/bind-gp-query.ts) checked the points: every input given, vectors of one length. */
export function gpQuery(state: ModelState, q: BoundQuery): QueryAnswer {
  const node = gpNode(state.graph);
  const vars = state.graph.vars;
  const outputVars = node.outputs ?? [node.output];
  const outputs = outputVars.map((i) => vars[i]!.name);
  const inputs = node.inputs.map((i) => vars[i]!.name);
  const T = outputs.length;
  const lik = node.likelihood ? gpLikelihood(new GPCore(state, node)) : undefined;
  // A categorical GP: one probability per class (p_LEVEL), and its labels' levels for p(label | x).
  const C = node.likelihood?.classes;
  const cols = C ? classColumns(state, node.output, C) : undefined;
  /** Point matrix over (point, task) pairs: tasks listed, for every point. */
  const matrix = (x: readonly (readonly number[])[], tasks: readonly number[]): Float64Array => {
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
        const x = q.points;
        const m = x.length;
        const tasks = Array.from({ length: T }, (_, t) => t);
        const p = predict(state, matrix(x, tasks), m * T, { cov: q.samples > 0 });
        const rows: PredictRow[] = [];
        for (let i = 0; i < m * T; i++) {
          const mean = p.mean[i]!;
          const sd = Math.sqrt(p.varF[i]!);
          const y = p.probs ? { y: classSummary(cols!, p.probs, i) } : lik ? { y: ySummary(lik, mean, p.varF[i]!, q.approx) } : {};
          rows.push({ x: x[Math.floor(i / T)]!, output: outputs[i % T]!, mean, sd, lower95: mean - 1.96 * sd, upper95: mean + 1.96 * sd, sd_y: Math.sqrt(p.varY[i]!), ...y });
        }
        const draws = q.samples > 0 ? samplePosterior(p, q.samples, new Rng(q.seed)).map((d) => Array.from(d)) : undefined;
        return { kind: 'predict', inputs, rows, ...(draws ? { samples: draws } : {}), ...(p.note ? { note: p.note } : {}) };
      }
      case 'predictive': {
        const tasks = q.outputs.map((v) => outputVars.indexOf(v));
        const p = predict(state, matrix([q.point], tasks), tasks.length);
        if (p.probs && cols) {
          const probs = Object.fromEntries(cols.map((c, k) => [c.slice(2), p.probs![k]!]));
          return { kind: 'distribution', vars: q.outputs.map((v) => vars[v]!.name), summary: [{ name: vars[q.outputs[0]!]!.name, probs }] };
        }
        // With a non-Gaussian likelihood the summary is of y (E[y]: a class probability, an expected count).
        const summary = q.outputs.map((v, i) => ({ name: vars[v]!.name, mean: (p.meanY ?? p.mean)[i]!, ...(q.summary === 'distribution' ? { sd: Math.sqrt(p.varY[i]!) } : {}) }));
        if (q.summary === 'mean') return { kind: 'mean', summary };
        return { kind: 'distribution', vars: q.outputs.map((v) => vars[v]!.name), summary };
      }
      case 'predictive-density': {
        const m = q.points.length;
        const p = predict(state, matrix(q.points, [outputVars.indexOf(q.output)]), m);
        const ys = Array.from({ length: m }, (_, i) => q.values[q.values.length === 1 ? 0 : i]!);
        const bad = lik && !C ? ys.map((v) => lik.lik.badValue(v)).find((b) => b) : undefined;
        if (bad) throw queryError(q, bad, q.span, 'bad-value');
        const bad2 = C ? ys.map((v) => lik!.lik.badValue(v, C)).find((b) => b) : undefined;
        if (bad2) throw queryError(q, bad2, q.span, 'bad-value');
        const lp = p.probs && C ? Float64Array.from(ys, (v, i) => Math.log(p.probs![i * C + v]!)) : lik ? logPredictiveLik(lik, p.mean, p.varF, ys) : logPredictive(p, ys);
        const total = lp.reduce((a, b) => a + b, 0);
        return { kind: 'density', log: q.log, value: q.log ? total : Math.exp(total), logValue: total, conditional: true };
      }
      default:
        throw queryError(q, unanswered(q.kind === 'call' ? q.form : q.kind, 'a Gaussian process'), q.span, 'unsupported-query', `e.g. predict(${inputs.map((n) => `${n} = ...`).join(', ')})`);
    }
  };
  const answer = run();
  // Inputs far outside what the kernel can evaluate (x = 1e300) give NaN: say so, never print it.
  const numbers = answer.kind === 'predict' ? answer.rows.flatMap((r) => [r.mean, r.sd, r.sd_y]) : answer.kind === 'density' ? [answer.logValue] : answer.kind === 'distribution' || answer.kind === 'mean' ? answer.summary.flatMap((v) => [v.mean ?? 0, v.sd ?? 0]) : [];
  if (numbers.some((v) => Number.isNaN(v))) throw queryError(q, 'the kernel cannot be evaluated at these inputs (they are too far out for float64): give values nearer the data', q.span, 'degenerate');
  return answer;
}
