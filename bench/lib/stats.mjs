// Timing helpers shared by the pmix side of every case.
import { performance } from 'node:perf_hooks';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs fn `warmup` times untimed, then `repeats` times; returns the per-call ms samples. */
export async function sample(fn, repeats, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Peak resident set of this process so far, in MB. */
export const peakMb = () => process.resourceUsage().maxRSS / 1024;
