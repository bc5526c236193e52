// Text rendering of Gaussian process predictions (a table of mean, sd and a 95% interval per
// point); a GP's fit text is its family's (families/gp/fit-text.ts).
import type { QueryAnswer } from '../runtime/queries/answer.js';

const num = (x: number, digits = 6): string => {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e7)) return x.toExponential(digits - 2);
  return Number(x.toPrecision(digits)).toString();
};

export function formatPredict(a: Extract<QueryAnswer, { kind: 'predict' }>): string {
  const multi = new Set(a.rows.map((r) => r.output)).size > 1;
  // A non-Gaussian likelihood's summary of y (class probability, counts' quantiles) follows the latent's columns.
  const extra = Object.keys(a.rows[0]?.y ?? {});
  const header = [...a.inputs, ...(multi ? ['output'] : []), 'mean', 'sd', 'lower95', 'upper95', 'sd_y', ...extra];
  const lines = [header.join('  ')];
  for (const r of a.rows) {
    lines.push([...r.x.map((v) => num(v)), ...(multi ? [r.output] : []), num(r.mean), num(r.sd), num(r.lower95), num(r.upper95), num(r.sd_y), ...extra.map((k) => num(r.y![k]!))].join('  '));
  }
  if (a.samples) a.samples.forEach((s, i) => lines.push(`sample ${i + 1}: ${s.map((v) => num(v)).join(', ')}`));
  if (a.note) lines.push(`note: ${a.note}`);
  return lines.map((l) => `  ${l}`).join('\n');
}
