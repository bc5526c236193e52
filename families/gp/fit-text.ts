// The fit text of a Gaussian process (ModelFamily.fitText): its log marginal likelihood (or
// ELBO), hyperparameters and notes instead of the shared mean log-likelihood line.
import type { FitTextInput } from '../../runtime/family.js';
import type { GPFitInfo } from '../../runtime/gp/session-fit.js';

export function gpFitText({ summary: s, fields, stop, num }: FitTextInput): string {
  const g = fields.gp as GPFitInfo | undefined;
  const head = `fit ${s.model} on ${s.data} by ${s.method}: ${stop}`;
  if (!g) return [head, `  rows ${s.rows}, free parameters ${s.parameters}`, `  mean log-likelihood ${num(s.mean_log_likelihood)}   BIC ${num(s.bic, 8)}   AIC ${num(s.aic, 8)}`].join('\n');
  const lines = [
    head,
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
