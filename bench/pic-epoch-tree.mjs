// One Adam epoch of the digits PIC (K = 32, as bench/cases/nets-pic.mjs) through the compiler and
// fitAdam of the pmix tree given (its dist/ built): wall and CPU time, medians. Compares builds of
// two commits, e.g. the code issue 21 measured (0ee17ef) against main, alternating processes:
//   git worktree add --detach ../old 0ee17ef && (cd ../old && npx tsc -p . && node scripts/postbuild.mjs)
//   node bench/pic-epoch-tree.mjs ../old 5; node bench/pic-epoch-tree.mjs . 5   (repeat, alternating)
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { digitsData } from './lib/circuit.mjs';
const root = pathToFileURL(resolve(process.argv[2] ?? ".")).href;
const reps = +(process.argv[3] ?? 3);
const { compile } = await import(`${root}/dist/compiler/compile.js`);
const { lowerModel } = await import(`${root}/dist/compiler/lower.js`);
const { ModelState } = await import(`${root}/dist/runtime/state.js`);
const { fitAdam } = await import(`${root}/dist/runtime/learners/adam.js`);
const src = `model DigitsPIC = circuit {
  region quad_tree(width = 8)
  inputs Bernoulli
  integral gauss_legendre(points = 32)
  net mlp(hidden = 32, layers = 2)
  sharing composite
}`;
const { x, n, names } = digitsData(1);
const w = new Float64Array(n).fill(1);
const settings = { method: 'adam', lr: 0.02, epochs: 1, batch: 100, seed: 1, regCovar: 1e-6, init: 'random' };
const vars = names.map((name) => ({ name, type: { kind: 'int' } }));
const epoch = () => {
  const { program } = compile(src, 'pic.pmix');
  const { graph } = lowerModel(program, 'DigitsPIC', vars, {});
  const state = new ModelState(graph, 'train');
  const c = process.cpuUsage();
  const t = performance.now();
  const fit = fitAdam(state, x, n, w, settings);
  const ms = performance.now() - t;
  const d = process.cpuUsage(c);
  return { ms, cpu: (d.user + d.system) / 1e3, ll: fit.result?.meanLogLikelihood ?? fit.meanLogLikelihood };
};
epoch();
const r = [];
for (let i = 0; i < reps; i++) r.push(epoch());
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(JSON.stringify({ root, wall: med(r.map((e) => e.ms)), cpu: med(r.map((e) => e.cpu)), walls: r.map((e) => Math.round(e.ms)), cpus: r.map((e) => Math.round(e.cpu)), ll: r[0].ll }));
