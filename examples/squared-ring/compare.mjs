// Squared vs monotone mixtures on the ring, k = 2, 3, 4, several seeds: test mean
// log-likelihoods (the table in README and docs/squared.md) and the PNG of both densities.
// Run after a build:  npm run build && node examples/squared-ring/compare.mjs [--seeds 5] [--k 2,3,4] [--png [--png-k 3]]
//   --forms: sos(...) and c_plus * square(c) instead (default init)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { compile } from '../../dist/compiler/compile.js';
import { Session } from '../../dist/runtime/session.js';
import { forward } from '../../dist/runtime/evaluate.js';
import { squaredLogDensity } from '../../dist/runtime/squared/squared-model.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const seeds = Number(args[args.indexOf('--seeds') + 1] ?? 5) || 5;
const ks = args.includes('--k') ? args[args.indexOf('--k') + 1].split(',').map(Number) : [2, 3, 4];

function readXY(file) {
  const lines = readFileSync(join(here, file), 'utf8').trim().split('\n').slice(1);
  const x = new Float64Array(lines.length * 2);
  lines.forEach((l, i) => {
    const [a, b] = l.split(',').map(Number);
    x[2 * i] = a;
    x[2 * i + 1] = b;
  });
  return { x, n: lines.length };
}
const test = readXY('ring-test.csv');

const logp = (state, x, n) => (state.graph.family === 'squared' ? squaredLogDensity(state, x, n) : forward(state, x, n).get(state.graph.root));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

/** Fits `model` on the ring and returns { test, free, state }. */
function fit(model, method, pre = '') {
  const src = `data ring from "ring.csv" { x: real, y: real }\n${pre}model M = ${model}\nfit M on ring by ${method}`;
  const { program, diagnostics } = compile(src, join(here, 'compare.pmix'));
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const sess = new Session(program);
  sess.fit(program.steps.find((s) => s.kind === 'fit'));
  const state = sess.stateOf('M');
  return { test: mean(logp(state, test.x, test.n)), free: state.freeParameterCount(), state };
}

// A ring is a wide Normal minus a narrow one at its centre. The written start: weights with
// w2 / w1 a little under var2 / var1, so that c >= 0 everywhere (no zero circle of c^2 on the
// ring) and c peaks at radius 2; further components (k > 2) start on the ring.
const ringStart = (k) => {
  const comps = ['Normal(diag, mean = [0, 0], sd = [1.7, 1.7])', 'Normal(diag, mean = [0, 0], sd = [1.2, 1.2])'];
  const w = [1.0, -0.45];
  for (let i = 2; i < k; i++) {
    const a = (2 * Math.PI * (i - 2)) / (k - 2);
    comps.push(`Normal(diag, mean = [${(2 * Math.cos(a)).toFixed(3)}, ${(2 * Math.sin(a)).toFixed(3)}], sd = [0.8, 0.8])`);
    w.push(0.2);
  }
  return `square(mixture(weights = [${w.join(', ')}]) { ${comps.join(', ')} })`;
};

const adam = (seed) => `adam(lr = 0.02, epochs = 150, batch = 200, seed = ${seed})`;
const rows = [];
const best = {};
const forms = args.includes('--forms');
for (const k of forms ? [] : ks) {
  const variants = [
    ['squared, default init (random signs)', `square(mixture(k = ${k}) of Normal(diag))`, adam],
    ['squared, written start (wide minus narrow)', ringStart(k), adam],
    ['monotone, EM', `mixture(k = ${k}) of Normal(diag)`, (s) => `em(max_iter = 300, seed = ${s})`],
  ];
  for (const [name, model, method] of variants) {
    const res = [];
    for (let s = 1; s <= seeds; s++) {
      const t0 = Date.now();
      const r = fit(model, method(s));
      res.push(r);
      process.stderr.write(`k=${k} ${name} seed ${s}: test ${r.test.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    const sorted = res.map((r) => r.test).sort((a, b) => a - b);
    const med = sorted[Math.floor((sorted.length - 1) / 2)];
    rows.push({ k, name, free: res[0].free, best: sorted[sorted.length - 1], median: med });
    best[`${k} ${name}`] = res.reduce((a, b) => (b.test > a.test ? b : a)).state;
  }
}
if (forms) {
  // The other squared forms, default init, against k = 4 monotone (19 free parameters).
  const pre = 'model P = mixture(k = 2) of Normal(diag)\n';
  for (const [name, model, p] of [
    ['sos of two 2-component squared mixtures', 'sos(mixture(k = 2) of Normal(diag), mixture(k = 2) of Normal(diag))', ''],
    ['2-component monotone times a squared 2-component mixture', 'P * square(mixture(k = 2) of Normal(diag))', pre],
  ]) {
    const res = [];
    for (let s = 1; s <= seeds; s++) res.push(fit(model, adam(s), p));
    const sorted = res.map((r) => r.test).sort((a, b) => a - b);
    rows.push({ k: '-', name, free: res[0].free, best: sorted[sorted.length - 1], median: sorted[Math.floor((sorted.length - 1) / 2)] });
  }
}
console.log('| k | model | free parameters | best test LL | median test LL |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.k} | ${r.name} | ${r.free} | ${r.best.toFixed(3)} | ${r.median.toFixed(3)} |`);

if (args.includes('--png')) {
  // Left: the best squared fit (written start) at k = --png-k (default 3); right: the best monotone one.
  const pk = args.includes('--png-k') ? Number(args[args.indexOf('--png-k') + 1]) : 3;
  const panels = [best[`${pk} squared, written start (wide minus narrow)`], best[`${pk} monotone, EM`]];
  const S = 260;
  const gap = 10;
  const png = new PNG({ width: 2 * S + gap, height: S });
  png.data.fill(255);
  const lo = -3.5;
  const hi = 3.5;
  panels.forEach((state, p) => {
    const x = new Float64Array(S * S * 2);
    for (let r = 0; r < S; r++)
      for (let c = 0; c < S; c++) {
        x[2 * (r * S + c)] = lo + ((c + 0.5) * (hi - lo)) / S;
        x[2 * (r * S + c) + 1] = hi - ((r + 0.5) * (hi - lo)) / S;
      }
    const d = logp(state, x, S * S).map(Math.exp);
    const max = d.reduce((a, b) => Math.max(a, b), 0);
    for (let r = 0; r < S; r++)
      for (let c = 0; c < S; c++) {
        const t = Math.sqrt(d[r * S + c] / max); // a square-root scale shows the tails
        const o = 4 * (r * png.width + p * (S + gap) + c);
        // dark blue -> yellow
        png.data[o] = Math.round(20 + 235 * t);
        png.data[o + 1] = Math.round(20 + 200 * t);
        png.data[o + 2] = Math.round(80 + 40 * (1 - t) - 40 * t);
        png.data[o + 3] = 255;
      }
  });
  writeFileSync(join(here, 'ring-densities.png'), PNG.sync.write(png));
  console.error('wrote examples/squared-ring/ring-densities.png');
}
