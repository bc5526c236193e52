// The fit text of a KDE (ModelFamily.fitText): the shared three lines, then its bandwidth (h
// per real column for a diagonal H, else the full matrix), the cross-validation's choice and
// every value's held-out score, and the fit's notes.
import type { FitTextInput } from '../../runtime/family.js';

interface KdeDetails {
  readonly bandwidth: string;
  readonly bandwidth_matrix: readonly (readonly number[])[];
  readonly h?: readonly number[];
  readonly columns?: readonly string[];
  readonly cv?: readonly { readonly value: number; readonly mean_heldout_log_likelihood: number }[];
  readonly notes?: readonly string[];
}

export function kdeFitText({ summary: s, fields, stop, num }: FitTextInput): string {
  const lines = [
    `fit ${s.model} on ${s.data} by ${s.method}: ${stop}`,
    `  rows ${s.rows}, free parameters ${s.parameters}`,
    `  mean log-likelihood ${num(s.mean_log_likelihood)}   BIC ${num(s.bic, 8)}   AIC ${num(s.aic, 8)}`,
  ];
  const k = fields.kde as KdeDetails | undefined;
  if (!k) return lines.join('\n');
  const H = k.bandwidth_matrix;
  const diagonal = H.every((row, a) => row.every((v, b) => a === b || v === 0));
  if (H.length && diagonal && k.h) lines.push(`  bandwidth: h = ${k.h.map((h, a) => `${k.columns?.[a] ? `${k.columns[a]} ` : ''}${num(h)}`).join(', ')}   (${k.bandwidth})`);
  else if (H.length) lines.push(`  bandwidth: full matrix H = [${H.map((r) => `[${r.map((v) => num(v)).join(', ')}]`).join(', ')}]   (${k.bandwidth})`);
  else lines.push(`  bandwidth: none (no real columns)`);
  if (k.cv?.length) {
    const best = k.cv.reduce((a, b) => (b.mean_heldout_log_likelihood > a.mean_heldout_log_likelihood ? b : a));
    lines.push(`  cv: chose ${num(best.value)} (mean held-out log-likelihood ${num(best.mean_heldout_log_likelihood)}); tried ${k.cv.map((c) => `${num(c.value)}: ${num(c.mean_heldout_log_likelihood)}`).join(', ')}`);
  }
  for (const n of k.notes ?? []) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
