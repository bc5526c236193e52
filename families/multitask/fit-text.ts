// The fit text of a multitask GP (ModelFamily.fitText): its objective is the ELBO (a lower
// bound, said so), then the learned hyperparameters, the clusters' weights and sizes, and notes.
import type { FitTextInput } from '../../runtime/family.js';

interface MultitaskDetails {
  readonly tasks: number;
  readonly points: number;
  readonly grid: number;
  readonly hyperparameters: Readonly<Record<string, number>>;
  readonly cluster_weights: readonly number[];
  readonly cluster_of_task: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

export function multitaskFitText({ summary: s, fields, stop, num }: FitTextInput): string {
  const lines = [`fit ${s.model} on ${s.data} by ${s.method}: ${stop}`];
  const m = fields.multitask as MultitaskDetails | undefined;
  if (!m) return [...lines, `  mean log-likelihood ${num(s.mean_log_likelihood)}`].join('\n');
  lines.push(`  ${m.tasks} tasks, ${m.points} points (${m.grid} distinct inputs), free parameters ${s.parameters}`);
  lines.push(`  ELBO per point ${num(s.mean_log_likelihood)} (a lower bound on the mean log-likelihood)`);
  lines.push(`  ${Object.entries(m.hyperparameters).map(([k, v]) => `${k} = ${num(v, 4)}`).join(', ')}`);
  const sizes = m.cluster_weights.map((_, c) => Object.values(m.cluster_of_task).filter((x) => x === c + 1).length);
  lines.push(`  clusters: ${m.cluster_weights.map((w, c) => `${c + 1}: weight ${num(w, 3)}, ${sizes[c]} task${sizes[c] === 1 ? '' : 's'}`).join('; ')}`);
  for (const n of m.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
