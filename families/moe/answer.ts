// Queries of a fitted mixture of experts. Pointwise forms (bound by compiler/bind-gp-query.ts
// through the family's roles): predict(x = ...) (the predictive mixture's mean, sd, 2.5% and
// 97.5% quantiles, the most probable expert and the gate's p(k | x), optional draws of y),
// p(y | x = ...) (mean, sd and every expert as a component), mean(y | x = ...), logp(y = v | x = ...).
// Evidence forms: posterior(x = ..., y = ...) (p(k | x, y); p(k | x) without y), sample(n | x = ...)
// (y drawn given x, with the expert drawn), mode(| x = ...) (the highest predictive density).
import type { BoundQuery, BoundValue } from '../../ir/query.js';
import type { PredictRow, QueryAnswer } from '../../runtime/queries/answer.js';
import { unanswered } from '../../runtime/queries/cells.js';
import { queryError } from '../../runtime/queries/evidence.js';
import type { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import type { MoeData } from './data.js';
import { chol, cholSolve, logSumExp } from './linalg.js';
import { expertLogLik, logGate, modelOf, type MoeModel } from './model.js';
import { leafDraw, leafMixtureMode } from './predictive-leaf.js';
import { mixtureAt, mixtureLevelProbs, mixtureLogDensity, mixtureMean, mixtureQuantile, mixtureVariance, type PointMixture } from './predictive.js';

export const MOE_FORMS: readonly string[] = ['predict', 'p', 'mean', 'logp', 'posterior', 'sample', 'mode'];

export interface MoePredictRow extends PredictRow {
  /** The most probable expert at x (numbered from 1, as posterior(...) prints them) and the gate's p(k | x). */
  readonly expert: number;
  readonly gate: readonly number[];
}

const NOTE = 'a mixture of experts predicts y: sd = sd_y is the predictive mixture\'s sd, lower95 / upper95 its 2.5% and 97.5% quantiles';

/** One draw of the outputs at x: the expert from the gate, then y from it (full noise: correlated). */
export function drawY(m: MoeModel, mx: PointMixture, rng: Rng): { k: number; y: number[] } {
  const { K, P } = m.spec;
  let u = rng.uniform();
  let k = 0;
  for (; k < K - 1; k++) {
    u -= mx.weights[k]!;
    if (u < 0) break;
  }
  while (k > 0 && !(mx.weights[k]! > 0)) k--;
  if (mx.leaf) return { k, y: [leafDraw(mx.leaf, K, k, rng)] };
  if (mx.discrete === 'categorical') {
    const L = mx.levels!.length / K;
    let v = rng.uniform();
    let l = 0;
    for (; l < L - 1; l++) {
      v -= mx.levels![k * L + l]!;
      if (v < 0) break;
    }
    return { k, y: [l] };
  }
  if (mx.discrete) {
    const mu = mx.means[k * P]!;
    return { k, y: [mx.discrete === 'poisson' ? rng.poisson(mu) : rng.uniform() < mu ? 1 : 0] };
  }
  const z = Array.from({ length: P }, () => rng.normal());
  const y = new Array<number>(P);
  if (m.linear?.full) {
    const l = chol(m.linear.noise.subarray(k * P * P, (k + 1) * P * P), P)!;
    for (let a = 0; a < P; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += l[a * P + b]! * z[b]!;
      y[a] = mx.means[k * P + a]! + s;
    }
  } else for (let a = 0; a < P; a++) y[a] = mx.means[k * P + a]! + Math.sqrt(mx.vars[k * P + a]!) * z[a]!;
  return { k, y };
}

/** log f_k(y | x) of every expert at one point (NaN outputs marginalized). */
function expertLogLiks(m: MoeModel, x: readonly number[], y: readonly number[]): Float64Array {
  const d: MoeData = { n: 1, X: Float64Array.from(x), Y: Float64Array.from(y), w: Float64Array.of(1) };
  return expertLogLik(m, d);
}

/** The mode of the outputs' predictive mixture at x: fixed-point (mean-shift) iterations from every expert's mean. */
export function predictiveMode(m: MoeModel, x: readonly number[]): { y: number[]; logDensity: number } {
  const { K, P } = m.spec;
  const mx = mixtureAt(m, x);
  if (mx.leaf) {
    const best = leafMixtureMode(mx.leaf, mx.weights, mx.means, mx.vars);
    return { y: [best.y], logDensity: best.logDensity };
  }
  if (mx.discrete) {
    // the most probable count (or outcome): scan up to well past every expert's mean
    let hi = 1;
    for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) hi = Math.max(hi, Math.ceil(mx.means[k]! + 10 * Math.sqrt(mx.means[k]!) + 10));
    if (mx.discrete === 'bernoulli') hi = 1;
    if (mx.discrete === 'categorical') hi = mx.levels!.length / K - 1;
    let best = { y: [0], logDensity: -Infinity };
    for (let v = 0; v <= hi; v++) {
      const lp = mixtureLogDensity(mx, K, P, 0, v);
      if (lp > best.logDensity) best = { y: [v], logDensity: lp };
    }
    return best;
  }
  const lg = Array.from(mx.weights, Math.log);
  const prec: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const S = m.linear?.full ? m.linear.noise.subarray(k * P * P, (k + 1) * P * P) : Float64Array.from({ length: P * P }, (_, i) => (i % (P + 1) === 0 ? mx.vars[k * P + i / (P + 1)]! : 0));
    const l = chol(S, P)!;
    const inv = new Float64Array(P * P);
    for (let c = 0; c < P; c++) {
      const e = new Float64Array(P);
      e[c] = 1;
      inv.set(cholSolve(l, P, e), c * P);
    }
    prec.push(inv);
  }
  const logp = (y: number[]): number => {
    const f = expertLogLiks(m, x, y);
    return logSumExp(f.map((v, k) => v + lg[k]!), 0, K);
  };
  let best = { y: Array.from({ length: P }, (_, p) => mixtureMean(mx, K, P, p)), logDensity: -Infinity };
  best.logDensity = logp(best.y);
  for (let s = 0; s < K; s++) {
    if (!(mx.weights[s]! > 0)) continue;
    let y = Array.from({ length: P }, (_, p) => mx.means[s * P + p]!);
    for (let it = 0; it < 500; it++) {
      const f = expertLogLiks(m, x, y);
      const a = f.map((v, k) => v + lg[k]!);
      const lz = logSumExp(a, 0, K);
      const A = new Float64Array(P * P);
      const b = new Float64Array(P);
      for (let k = 0; k < K; k++) {
        const g = Math.exp(a[k]! - lz);
        if (!(g > 0)) continue;
        for (let r = 0; r < P; r++) {
          for (let c = 0; c < P; c++) {
            A[r * P + c] += g * prec[k]![r * P + c]!;
            b[r] += g * prec[k]![r * P + c]! * mx.means[k * P + c]!;
          }
        }
      }
      const next = Array.from(cholSolve(chol(A, P)!, P, b));
      const moved = next.reduce((acc, v, p) => Math.max(acc, Math.abs(v - y[p]!) / Math.sqrt(mx.vars[s * P + p]!)), 0);
      y = next;
      if (moved < 1e-12) break;
    }
    const lp = logp(y);
    if (lp > best.logDensity) best = { y, logDensity: lp };
  }
  return best;
}

export function moeAnswer(state: ModelState, q: BoundQuery): QueryAnswer {
  const m = modelOf(state);
  const { K, P, inputs, outputs } = m.spec;
  const vars = state.graph.vars;
  const inNames = inputs.map((i) => vars[i]!.name);
  const outNames = outputs.map((i) => vars[i]!.name);
  const example = inNames.map((n) => `${n} = ...`).join(', ');
  /** The input point of evidence forms; every input must be given. */
  const pointOf = (given: readonly BoundValue[], form: string, allowOutputs: boolean): { x: number[]; y: number[] } => {
    const x = inputs.map((v) => given.find((b) => b.v === v)?.value);
    if (x.some((v) => v === undefined)) throw queryError(q, `${form}(...) of a mixture of experts needs every input: ${example}`, q.span, 'bad-query');
    const y = outputs.map((v) => given.find((b) => b.v === v)?.value ?? NaN);
    if (!allowOutputs && y.some((v) => !Number.isNaN(v))) throw queryError(q, `${form}(...) draws the outputs (${outNames.join(', ')}) given the inputs: give only ${example}`, q.span, 'bad-query');
    return { x: x as number[], y };
  };
  switch (q.kind) {
    case 'predict': {
      const rows: MoePredictRow[] = [];
      const rng = new Rng(q.seed);
      const samples: number[][] = Array.from({ length: q.samples }, () => []);
      for (const x of q.points) {
        const mx = mixtureAt(m, x);
        const gate = Array.from(mx.weights);
        const expert = gate.indexOf(Math.max(...gate)) + 1;
        for (let p = 0; p < P; p++) {
          const mean = mixtureMean(mx, K, P, p);
          const sd = Math.sqrt(mixtureVariance(mx, K, P, p));
          const levels = mx.discrete === 'categorical' ? levelRecord(vars[outputs[p]!]!.type, mixtureLevelProbs(mx)) : undefined;
          rows.push({ x, output: outNames[p]!, mean, sd, lower95: mixtureQuantile(mx, K, P, p, 0.025), upper95: mixtureQuantile(mx, K, P, p, 0.975), sd_y: sd, expert, gate, ...(levels ? { y: levels } : {}) });
        }
        for (const s of samples) s.push(...drawY(m, mx, rng).y);
      }
      return { kind: 'predict', inputs: inNames, rows, ...(q.samples > 0 ? { samples } : {}), note: NOTE };
    }
    case 'predictive': {
      const mx = mixtureAt(m, q.point);
      const ps = q.outputs.map((v) => outputs.indexOf(v));
      const summary = ps.map((p) => ({ name: outNames[p]!, mean: mixtureMean(mx, K, P, p), ...(q.summary === 'distribution' ? { sd: Math.sqrt(mixtureVariance(mx, K, P, p)) } : {}) }));
      if (q.summary === 'mean') return { kind: 'mean', summary };
      const components = Array.from({ length: K }, (_, k) => ({ weight: mx.weights[k]!, mean: ps.map((p) => mx.means[k * P + p]!), sd: ps.map((p) => Math.sqrt(mx.vars[k * P + p]!)) }));
      return { kind: 'distribution', vars: ps.map((p) => outNames[p]!), summary, components };
    }
    case 'predictive-density': {
      const p = outputs.indexOf(q.output);
      let total = 0;
      q.points.forEach((x, i) => (total += mixtureLogDensity(mixtureAt(m, x), K, P, p, q.values[q.values.length === 1 ? 0 : i]!)));
      return { kind: 'density', log: q.log, value: q.log ? total : Math.exp(total), logValue: total, conditional: true };
    }
    case 'posterior': {
      const { x, y } = pointOf(q.evidence, 'posterior', true);
      const lg = logGate(m, Float64Array.from(x), 1);
      const f = expertLogLiks(m, x, y);
      const a = lg.map((v, k) => v + f[k]!);
      const lz = logSumExp(a, 0, K);
      if (lz === -Infinity) throw queryError(q, 'these outputs have zero density under every expert the gate allows at this input', q.span, 'zero-density');
      const probs = Array.from(a, (v) => Math.exp(v - lz));
      return { kind: 'posterior', probs, best: probs.indexOf(Math.max(...probs)) };
    }
    case 'sample': {
      const { x } = pointOf(q.given, 'sample', false);
      const mx = mixtureAt(m, x);
      const rng = new Rng(q.seed);
      const rows = Array.from({ length: q.count }, () => {
        const d = drawY(m, mx, rng);
        return [...x, ...d.y, d.k + 1];
      });
      return { kind: 'sample', columns: [...inNames, ...outNames, 'expert'], rows };
    }
    case 'mode': {
      const { x } = pointOf(q.given, 'mode', false);
      const r = predictiveMode(m, x);
      const point: Record<string, number> = {};
      inNames.forEach((n, j) => (point[n] = x[j]!));
      outNames.forEach((n, p) => (point[n] = r.y[p]!));
      return { kind: 'mode', point, logDensity: r.logDensity, method: 'fixed-point (mean-shift) iterations from every expert\'s mean; the highest conditional density log p(y | x)' };
    }
    default:
      throw queryError(q, unanswered(q.kind === 'call' ? q.form : q.kind, 'a mixture of experts'), q.span, 'unsupported-query', `e.g. predict(${example})`);
  }
}

/** 'p_' + level name -> p(y = level | x), in the levels' order (predict's extra columns). */
export function levelRecord(t: { readonly kind: string; readonly levels?: readonly string[] }, probs: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  (t.levels ?? []).forEach((name, l) => (out[`p_${name}`] = probs[l]!));
  return out;
}
