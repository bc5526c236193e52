// Mode finding in many dimensions: plain mean shift against the sketched (random projection)
// mean shift of "Dimensionality Reduction for General KDE Mode Finding" on the same data, and
// the modes of the Old Faithful data (examples/data/faithful.csv). After `npm run build`:
//   node bench/kde-modes.mjs [--quick]
// Prints the numbers docs/kde.md quotes. Timings are wall-clock on a shared machine.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createKde, meanShift, sketchedMeanShift } from '../dist/families/kde/index.js';
import { Rng } from '../dist/stdlib/random.js';

const quick = process.argv.includes('--quick');
const out = (s) => process.stdout.write(`${s}\n`);

function clusters(n, D, k, seed) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: D }, () => 2.5 * rng.normal()));
  const x = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) x[i * D + a] = centres[i % k][a] + rng.normal();
  return { x, centres };
}

const dist = (p, q) => Math.sqrt(p.reduce((s, v, a) => s + (v - q[a]) ** 2, 0));

out('| D | n | starts | method | modes | max dist to plain modes | cost (kernel evals x their dims) | ms |');
out('|---|---|---|---|---|---|---|---|');
for (const D of quick ? [16] : [16, 64, 256]) {
  const n = quick ? 500 : 2000;
  const { x } = clusters(n, D, 5, D);
  // h: the clusters have unit spread; a bandwidth near it keeps 5 modes
  const kde = createKde({ data: x, d: D, bandwidth: 0.5 * Math.sqrt(D) });
  const starts = 100;
  let t = performance.now();
  const plain = meanShift(kde, { starts, seed: 1, mergeTol: 0.05 });
  const tp = performance.now() - t;
  out(`| ${D} | ${n} | ${starts} | plain | ${plain.modes.length} | 0 | ${(plain.kernelEvals * D).toExponential(2)} | ${tp.toFixed(0)} |`);
  for (const m of [4, 8, 16]) {
    t = performance.now();
    const sk = sketchedMeanShift(kde, { starts, seed: 1, sketchDim: m, mergeTol: 0.05 });
    const ts = performance.now() - t;
    const far = Math.max(...sk.modes.map((s) => Math.min(...plain.modes.map((p) => dist([...s.point], [...p.point])))));
    // cost: sketch climbs cost m per row, lifting and refinement D per row, the projection n m D
    const cost = sk.sketchEvals * m + sk.kernelEvals * D + n * m * D;
    out(`| ${D} | ${n} | ${starts} | sketch m=${m} | ${sk.modes.length} | ${far.toExponential(1)} | ${cost.toExponential(2)} | ${ts.toFixed(0)} |`);
  }
}

const text = readFileSync(new URL('../examples/data/faithful.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
const rows = text.map((l) => l.split(',').map(Number));
const fk = createKde({ data: rows, columns: [{ name: 'eruptions', type: 'real' }, { name: 'waiting', type: 'real' }], bandwidth: 'scott' });
const fm = meanShift(fk, { mergeTol: 0.1 });
out(`\nfaithful (272 rows), gaussian, Scott (H = f^2 Cov, ${fk.bandwidthLabel}):`);
for (const m of fm.modes) out(`  mode eruptions ${m.point[0].toFixed(3)}, waiting ${m.point[1].toFixed(2)}: mass ${m.mass.toFixed(3)}, log density ${m.logDensity.toFixed(4)}`);
