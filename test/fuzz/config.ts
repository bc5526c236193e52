// Fuzz budgets: `npm test` runs the base counts (a few thousand cases per target, the whole
// suite well under a minute); `npm run fuzz` multiplies them by PMIX_FUZZ_SCALE and collects
// the number of cases each target ran into the file named by PMIX_FUZZ_REPORT.
import { appendFileSync, writeFileSync } from 'node:fs';

const scale = Number(process.env.PMIX_FUZZ_SCALE ?? '1');

/**
 * The number of cases for a target whose in-suite budget is `base`; `longBase` (default `base`)
 * is what `npm run fuzz` multiplies instead, for targets kept short in the suite.
 */
export function runs(base: number, longBase = base): number {
  const s = Number.isFinite(scale) && scale > 0 ? scale : 1;
  return Math.max(1, Math.round(s === 1 ? base : longBase * s));
}

/** A test timeout that grows with the scale (for targets that spawn processes). */
export function timeoutMs(base: number): number {
  return runs(base);
}

/** Records that a target ran `count` cases (for the `npm run fuzz` summary). */
export function reportCases(target: string, count: number): void {
  const file = process.env.PMIX_FUZZ_REPORT;
  if (file) appendFileSync(file, JSON.stringify({ target, count }) + '\n');
}

/** A fast-check seed: fixed in `npm test` (repeatable), random in long runs unless given. */
export function seed(): number | undefined {
  const s = process.env.PMIX_FUZZ_SEED;
  if (s !== undefined) return Number(s);
  return scale === 1 ? 42 : undefined;
}

let traced = 0;
/**
 * With PMIX_FUZZ_TRACE=FILE, writes each case to FILE before it runs (so a case that kills the
 * process, e.g. by exhausting memory, is left there) and appends the heap size every 500 cases.
 */
export function trace(text: string): void {
  const file = process.env.PMIX_FUZZ_TRACE;
  if (!file) return;
  writeFileSync(file, text);
  if (++traced % 500 === 0) appendFileSync(`${file}.heap`, `${traced} ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB\n`);
}
