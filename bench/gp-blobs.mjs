// Three Gaussian blobs, a multiclass GP (likelihood = categorical) against scikit-learn's
// one-vs-rest GaussianProcessClassifier in one run (issue 20): scripts/gp-blobs.py writes the
// seeded data (150 training rows, 600 held out, labels r, g, b) and scikit-learn's numbers;
// pmix fits `gp(a, b -> label) { kernel = 1 * rbf(ls = 1); likelihood = categorical }` by
// lbfgs(restarts = 3, seed = 0) through the built API (dist/) and predicts the held-out rows.
// Usage: npm run build && OPENBLAS_CORETYPE=SkylakeX node bench/gp-blobs.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'blobs-'));
const py = spawnSync('/usr/bin/python3', [join(root, 'scripts/gp-blobs.py'), dir], { encoding: 'utf8', env: { OPENBLAS_CORETYPE: 'SkylakeX', ...process.env } });
if (py.status !== 0) throw new Error(py.stderr);
const sk = JSON.parse(readFileSync(join(dir, 'sklearn.json'), 'utf8'));
const read = (name) =>
  readFileSync(join(dir, `${name}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [a, b, label] = l.split(',');
    return { a: Number(a), b: Number(b), label };
  });
const train = read('train');
const test = read('test');
const { compile } = await import(join(root, 'dist/api/index.js'));
const m = compile('data d from "x.csv" { a: real, b: real, label: categorical("r", "g", "b") }\nmodel C = gp(a, b -> label) { kernel = 1 * rbf(ls = 1); likelihood = categorical }').model('C');
const t0 = performance.now();
const s = await m.fit(train, { method: 'lbfgs', restarts: 3, seed: 0 });
const seconds = (performance.now() - t0) / 1000;
const preds = m.predict(test.map(({ a, b }) => ({ a, b }))).map((p) => p[0].extra);
let correct = 0;
let loss = 0;
test.forEach((r, i) => {
  const p = preds[i];
  const best = ['r', 'g', 'b'].reduce((x, y) => (p[`p_${y}`] > p[`p_${x}`] ? y : x));
  if (best === r.label) correct++;
  loss -= Math.log(Math.max(1e-15, p[`p_${r.label}`]));
});
const f = (x, d = 4) => x.toFixed(d);
const hp = s.gp.hyperparameters;
const kern = Object.entries(hp).map(([k, v]) => `${k} = ${v.map((x) => x.toPrecision(4)).join(', ')}`).join('; ');
console.log('three blobs: 150 training rows, 600 held out, 3 classes');
console.log('| | held-out accuracy | log loss | log marginal likelihood | kernel(s) | fit seconds |');
console.log('|---|---|---|---|---|---|');
console.log(`| pmix (categorical, Laplace) | ${f(correct / test.length, 3)} | ${f(loss / test.length)} | ${f(s.gp.log_marginal_likelihood)} | ${kern} | ${f(seconds, 2)} |`);
console.log(`| scikit-learn ${sk.sklearn} (one-vs-rest) | ${f(sk.accuracy, 3)} | ${f(sk.log_loss)} | | ${sk.kernels.join('; ')} | ${f(sk.seconds, 2)} |`);
