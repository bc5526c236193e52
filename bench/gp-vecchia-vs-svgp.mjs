// Accuracy and time of the Vecchia GP against the sparse variational GP on the same data
// (docs/gp.md, "Vecchia"): N training points and 10,000 held-out points of bench/lib/gp.mjs
// (x in [0, 10]^2, y = sin(x0) + cos(x1 / 2) + N(0, 0.3^2); training seed 3, held-out seed 4).
// Vecchia: 1.0 * rbf(ls = [1, 2]) + white(0.1), m = 30, L-BFGS (max_iter 30). SVGP: the
// same kernel with the likelihood's noise, M = 100 k-means inducing points, Adam (lr 0.01,
// batch 256, 5 epochs). Prints held-out RMSE and mean log predictive density, fit times
// (wall and CPU) and the fitted hyperparameters; the noise-only optimum (the truth's f
// known) is printed for reference.   node bench/gp-vecchia-vs-svgp.mjs [N] [--m 30] [--epochs 5]
import { performance } from 'node:perf_hooks';
import { fitExactSteps, hyperparameterValues } from '../dist/runtime/gp/fit.js';
import { logPredictive, predict } from '../dist/runtime/gp/predict.js';
import { fitSparseSteps } from '../dist/runtime/gp/sparse.js';
import { runToEnd } from '../dist/runtime/learners/drive.js';
import { ModelState } from '../dist/runtime/state.js';
import { gpData, gpModel } from './lib/gp.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !['--m', '--epochs', '--iter'].includes(args[i - 1])) ?? 100000);
const m = opt('--m', 30);
const epochs = opt('--epochs', 5);
const maxIter = opt('--iter', 30);
const train = gpData(n, 3, 2);
const test = gpData(10000, 4, 2);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function score(state) {
  const p = predict(state, test.x, test.n);
  let se = 0;
  for (let i = 0; i < test.n; i++) se += (p.mean[i] - test.y[i]) ** 2;
  const lp = logPredictive(p, test.y);
  return { rmse: Math.sqrt(se / test.n), mean_log_pred: lp.reduce((a, b) => a + b, 0) / test.n };
}

function timed(f) {
  const t = performance.now();
  const c = cpu();
  const r = f();
  return { r, wall_s: (performance.now() - t) / 1000, cpu_s: (cpu() - c) / 1000 };
}

const out = { n, test: test.n, node: process.version };
{
  const { state } = gpModel(2);
  const g = state.graph;
  const vstate = new ModelState({ ...g, nodes: g.nodes.map((nd) => ({ ...nd, inference: { kind: 'vecchia', m } })) });
  const f = timed(() => runToEnd(fitExactSteps(vstate, train, { method: 'lbfgs', maxIter, restarts: 1, tol: 1e-5, seed: 0 })));
  const s = timed(() => score(f.r.state));
  out.vecchia = { m, fit_wall_s: f.wall_s, fit_cpu_s: f.cpu_s, iterations: f.r.iterations, stop: f.r.criterion, lml_per_row: f.r.lml / n, predict_wall_s: s.wall_s, ...s.r, hyper: hyperparameterValues(f.r.state) };
  console.log(JSON.stringify({ vecchia: out.vecchia }));
}
{
  const { state } = gpModel(2, { m: 100 });
  const f = timed(() => runToEnd(fitSparseSteps(state, train, { method: 'adam', lr: 0.01, epochs, batch: 256, seed: 1, regCovar: 0, init: 'kmeans' })));
  const s = timed(() => score(f.r.state));
  out.svgp = { M: 100, epochs, fit_wall_s: f.wall_s, fit_cpu_s: f.cpu_s, elbo_per_row: f.r.lml / n, predict_wall_s: s.wall_s, ...s.r, hyper: hyperparameterValues(f.r.state) };
  console.log(JSON.stringify({ svgp: out.svgp }));
}
// The noise-only optimum: the true f known, y ~ N(f, 0.09).
out.reference = { rmse: 0.3, mean_log_pred: -0.5 * Math.log(2 * Math.PI * 0.09) - 0.5 };
console.log(JSON.stringify(out, null, 1));
