// Runs the pmix side of one case in a fresh process (so its peak memory is its own):
//   node bench/lib/child.mjs CASE DIR PARAMS_JSON
// and prints one line "@@BENCH {json}" on stdout.
import { selectBackend } from '../../dist/runtime/backend/select.js';
import { median, peakMb } from './stats.mjs';

const [name, dir, paramsJson] = process.argv.slice(2);
console.log = console.error; // keep stdout for the result line
const { default: benchCase } = await import(`../cases/${name}.mjs`);
let backend;
try {
  backend = (await selectBackend()).name;
} catch (e) {
  backend = `none (${e.message})`;
}
const r = await benchCase.run(dir, JSON.parse(paramsJson));
process.stdout.write(`@@BENCH ${JSON.stringify({ ms: median(r.samples), samples: r.samples, check: r.check, kernel: r.kernel, threads: r.threads ?? 1, extra: r.extra, baseline: r.baseline, backend, peak_mb: peakMb() })}\n`);
