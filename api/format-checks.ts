// The lines a fit summary adds for its checks (session/fit-checks.ts): its warnings, and each
// column whose fitted marginal is far from the data. Columns within the thresholds add nothing.
import type { FitSummary } from '../session/session.js';

/** `num` is format.ts's number formatter (passed in: format.ts imports this file). */
export function formatFitChecks(s: FitSummary, num: (x: number, digits?: number) => string): string[] {
  const lines = (s.warnings ?? []).map((w) => `  warning: ${w}`);
  for (const c of s.fit_checks ?? []) {
    if (!c.flagged) continue;
    if (c.measure === 'gap' && c.at) {
      lines.push(`  check: column '${c.column}' fits poorly: p(${c.at.value}) = ${num(c.at.fitted, 3)} fitted, ${num(c.at.observed, 3)} in the data (largest gap ${num(c.distance, 2)} > ${num(c.threshold, 2)}); try another leaf`);
    } else lines.push(`  check: column '${c.column}' fits poorly: Kolmogorov-Smirnov distance ${num(c.distance, 2)} > ${num(c.threshold, 2)} between the data and the fitted marginal`);
  }
  return lines;
}
