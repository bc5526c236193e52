// Text rendering of Gaussian process fits (log marginal likelihood, hyperparameters, notes)
// and predictions (a table of mean, sd and a 95% interval per point).
import type { GPFitInfo } from '../runtime/gp/session-fit.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import type { FitSummary } from '../session/session.js';
import { stopPhrase } from './format-stop.js';

const num = (x: number, digits = 6): string => {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e7)) return x.toExponential(digits - 2);
  return Number(x.toPrecision(digits)).toString();
};

export function formatGpFit(s: FitSummary, g: GPFitInfo): string {
  const lines = [
    `fit ${s.model} on ${s.data} by ${s.method}: ${stopPhrase(s)}`,
    `  ${g.inference} GP on ${g.points} points, free hyperparameters ${s.parameters}`,
    `  ${g.inference === 'exact' ? 'log marginal likelihood' : g.inference === 'vecchia' ? 'Vecchia log likelihood (approximates the log marginal likelihood)' : 'ELBO (lower bound on the log marginal likelihood)'} ${num(g.log_marginal_likelihood, 8)}   BIC ${num(s.bic, 8)}`,
  ];
  for (const [k, v] of Object.entries(g.hyperparameters)) {
    if (v.length > 8) lines.push(`  ${k} = [${v.slice(0, 8).map((x) => num(x, 4)).join(', ')}, ...]`);
    else lines.push(`  ${k} = ${v.length === 1 ? num(v[0]!, 5) : `[${v.map((x) => num(x, 5)).join(', ')}]`}`);
  }
  for (const n of g.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

export function formatPredict(a: Extract<QueryAnswer, { kind: 'predict' }>): string {
  const multi = new Set(a.rows.map((r) => r.output)).size > 1;
  const header = [...a.inputs, ...(multi ? ['output'] : []), 'mean', 'sd', 'lower95', 'upper95', 'sd_y'];
  const lines = [header.join('  ')];
  for (const r of a.rows) {
    lines.push([...r.x.map((v) => num(v)), ...(multi ? [r.output] : []), num(r.mean), num(r.sd), num(r.lower95), num(r.upper95), num(r.sd_y)].join('  '));
  }
  if (a.samples) a.samples.forEach((s, i) => lines.push(`sample ${i + 1}: ${s.map((v) => num(v)).join(', ')}`));
  if (a.note) lines.push(`note: ${a.note}`);
  return lines.map((l) => `  ${l}`).join('\n');
}
