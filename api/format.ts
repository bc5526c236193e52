// Text rendering of fit summaries and query answers for people; --json prints the same data raw.
import { formatFitChecks } from './format-checks.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import type { FitSummary } from '../session/session.js';
import { formatPredict } from './format-gp.js';
import { FAMILIES } from '../families/index.js';
import { stopPhrase } from './format-stop.js';

export function num(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e7)) return x.toExponential(digits - 2);
  return Number(x.toPrecision(digits)).toString();
}

export function formatFit(s: FitSummary): string {
  // the family has its own text where it has more to say (a GP's hyperparameters, a KDE's bandwidth)
  const family = FAMILIES.get(s.family ?? '');
  if (family?.fitText) return family.fitText({ summary: s, fields: s as unknown as Record<string, unknown>, stop: stopPhrase(s), num });
  return [
    `fit ${s.model} on ${s.data} by ${s.method}: ${stopPhrase(s)}`,
    `  rows ${s.rows}, free parameters ${s.parameters}`,
    `  mean log-likelihood ${num(s.mean_log_likelihood)}   BIC ${num(s.bic, 8)}   AIC ${num(s.aic, 8)}`,
    ...formatFitChecks(s, num),
  ].join('\n');
}

export function formatAnswer(a: QueryAnswer): string {
  switch (a.kind) {
    case 'predict':
      return formatPredict(a);
    case 'density':
      return a.log ? num(a.value) : `${num(a.value)}   (log ${num(a.logValue)})`;
    case 'posterior':
      return a.probs.map((p, i) => `  component ${i + 1}: ${num(p, 4)}${i === a.best ? '   <- most probable' : ''}`).join('\n');
    case 'mean':
    case 'distribution': {
      const lines = a.summary.map((s) =>
        s.probs
          ? `  ${s.name}: ${Object.entries(s.probs)
              .map(([l, p]) => `${l} ${num(p, 4)}`)
              .join(', ')}`
          : `  ${s.name}: mean ${num(s.mean!)}${a.kind === 'distribution' ? `, sd ${num(s.sd!)}` : ''}`,
      );
      if (a.kind === 'distribution' && a.components && a.components.length > 1) {
        lines.push(`  a mixture of ${a.components.length} components:`);
        a.components.forEach((c, i) =>
          lines.push(`    ${i + 1}: weight ${num(c.weight, 4)}, mean [${c.mean.map((m) => num(m, 5)).join(', ')}], sd [${c.sd.map((m) => num(m, 5)).join(', ')}]`),
        );
      }
      return lines.join('\n');
    }
    case 'sample':
      return [a.columns.join(','), ...a.rows.map((r) => r.map((c) => (typeof c === 'number' ? num(c, 8) : String(c))).join(','))].join('\n');
    case 'mode':
      return `  ${Object.entries(a.point)
        .map(([k, v]) => `${k} = ${typeof v === 'number' ? num(v) : String(v)}`)
        .join(', ')}   (log density ${num(a.logDensity)}; ${a.method})`;
  }
}
