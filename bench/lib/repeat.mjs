// --repeat N: a case's whole process (pmix's child, or a peer script) run N times; the result
// is the run with the median time, its `ms` the median of the N runs' medians, and `spread`
// the [min, max] of those N numbers (the GMM cases vary by +-15% between processes).
import { median } from './stats.mjs';

/** Calls run() n times; undefined stays undefined, the first error is returned as it is. */
export function repeatRuns(n, run) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const r = run();
    if (r === undefined || r.error) return r;
    results.push(r);
  }
  if (n === 1) return results[0];
  const runs = results.map((r) => r.ms);
  const ms = median(runs);
  const nearest = results.reduce((a, b) => (Math.abs(b.ms - ms) < Math.abs(a.ms - ms) ? b : a));
  return { ...nearest, ms, spread: [Math.min(...runs), Math.max(...runs)], runs_ms: runs };
}
