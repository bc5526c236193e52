// Two-moons GP classification, pmix against scikit-learn in one run (issue 20): the data and
// scikit-learn's numbers come from scripts/gp-two-moons.py (seeded make_moons, 200 training and
// 1,000 held-out rows); pmix fits `gp(a, b -> label) { kernel = 1 * rbf(ls = 1); likelihood =
// bernoulli(link = logit) }` by lbfgs(restarts = 3, seed = 0) through the built API (dist/) and
// predicts the held-out rows. Prints held-out accuracy, log loss (pmix: quadrature and
// approx = "probit"), the log marginal likelihood and the seconds of each fit.
// Usage: npm run build && OPENBLAS_CORETYPE=SkylakeX node bench/gp-two-moons.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'two-moons-'));
const py = spawnSync('/usr/bin/python3', [join(root, 'scripts/gp-two-moons.py'), dir], { encoding: 'utf8', env: { OPENBLAS_CORETYPE: 'SkylakeX', ...process.env } });
if (py.status !== 0) throw new Error(py.stderr);
const sk = JSON.parse(py.stdout);
const read = (name) =>
  readFileSync(join(dir, `${name}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [a, b, label] = l.split(',').map(Number);
    return { a, b, label };
  });
const train = read('train');
const test = read('test');
const { compile } = await import(join(root, 'dist/api/index.js'));
const m = compile('model C = gp(a, b -> label) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli(link = logit) }').model('C');
const t0 = performance.now();
const s = await m.fit(train, { method: 'lbfgs', restarts: 3, seed: 0 });
const seconds = (performance.now() - t0) / 1000;
const metrics = (ps) => {
  let correct = 0;
  let loss = 0;
  test.forEach((r, i) => {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, ps[i]));
    if ((p > 0.5 ? 1 : 0) === r.label) correct++;
    loss -= r.label === 1 ? Math.log(p) : Math.log(1 - p);
  });
  return { accuracy: correct / test.length, logLoss: loss / test.length };
};
const quad = metrics(m.predict(test.map(({ a, b }) => ({ a, b }))).map((p) => p[0].extra.p));
const q = m.query(`predict(a = [${test.map((r) => r.a).join(',')}], b = [${test.map((r) => r.b).join(',')}], approx = "probit")`);
const approx = metrics(q.rows.map((r) => r.y.p));
const f = (x, d = 4) => x.toFixed(d);
console.log(`two moons: 200 training rows, 1,000 held-out (noise 0.3)`);
console.log(`| | accuracy | log loss | log marginal likelihood | kernel | fit seconds |`);
console.log(`|---|---|---|---|---|---|`);
const hp = s.gp.hyperparameters;
const kern = Object.entries(hp).filter(([k]) => !k.includes('noise')).map(([k, v]) => `${k} = ${v.map((x) => x.toPrecision(4)).join(', ')}`).join('; ');
console.log(`| pmix (quadrature) | ${f(quad.accuracy, 3)} | ${f(quad.logLoss)} | ${f(s.gp.log_marginal_likelihood)} | ${kern} | ${f(seconds, 2)} |`);
console.log(`| pmix (approx = "probit") | ${f(approx.accuracy, 3)} | ${f(approx.logLoss)} | | | |`);
console.log(`| scikit-learn ${sk.sklearn} | ${f(sk.accuracy, 3)} | ${f(sk.log_loss)} | ${f(sk.lml)} | ${sk.kernel} | ${f(sk.seconds, 2)} |`);
