// Measures GP restarts_from = bounds vs start (issue 22 item 5): the best log marginal
// likelihood over seeds on examples/gp-toy.pmix, examples/co2.pmix and two multimodal
// synthetic cases. Usage: node bench/gp-restarts.mjs [--co2] [--restarts 5] [--seeds 5]
// Writes the synthetic data to a temp folder; prints one row per case, mode and seed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const restarts = opt('--restarts', 5);
const seeds = opt('--seeds', 5);
const dir = mkdtempSync(join(tmpdir(), 'gp-restarts-'));
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');

// A small deterministic generator (mulberry32 + Box-Muller) so the data are the same everywhere.
function rng(seed) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { u, n: () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()) };
}
function write(name, f, n, lo, hi, seed) {
  const r = rng(seed);
  const rows = ['x,y'];
  for (let i = 0; i < n; i++) {
    const x = lo + (hi - lo) * r.u();
    rows.push(`${x},${f(x, r)}`);
  }
  writeFileSync(join(dir, `${name}.csv`), rows.join('\n') + '\n');
}
// scikit-learn's noise-level example: two optima (short lengthscale + little noise, long + much noise).
write('noisy', (x, r) => 0.5 * Math.sin(3 * x) + 0.5 * r.n(), 40, 0, 5, 1);
// A periodic signal whose period starts far off: harmonics and aliases are local optima.
write('periodic', (x, r) => Math.sin((2 * Math.PI * x) / 2.5) + 0.2 * r.n(), 80, 0, 20, 2);

const cases = [
  { name: 'gp-toy', file: join(root, 'examples/gp-toy.pmix') },
  {
    name: 'noisy (short-ls start)',
    text: `data d from "${join(dir, 'noisy.csv')}" { x: real, y: real }\nmodel M = gp(x -> y) {\n  kernel = 1 * rbf(ls = 0.05) + white(0.001)\n}\n`,
  },
  {
    name: 'periodic (period 5 start)',
    text: `data d from "${join(dir, 'periodic.csv')}" { x: real, y: real }\nmodel M = gp(x -> y) {\n  kernel = 1 * periodic(period = 5, ls = 1) + white(0.1)\n}\n`,
  },
];
if (args.includes('--co2')) cases.push({ name: 'co2', file: join(root, 'examples/co2.pmix') });

const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
for (const c of cases.filter((k) => !only || k.name.startsWith(only))) {
  let text = c.text ?? readFileSync(c.file, 'utf8').replace(/^fit .*$/m, '');
  if (c.file) text = text.replace(/from "data\//g, `from "${join(root, 'examples/data')}/`);
  const model = /model (\w+)/.exec(text)[1];
  const data = /data (\w+)/.exec(text)[1];
  const maxIter = c.name === 'co2' ? 50 : 200;
  for (const from of ['bounds', 'start']) {
    const lmls = [];
    for (let seed = 0; seed < seeds; seed++) {
      const file = join(dir, `m-${seed}.pmix`);
      writeFileSync(file, `${text}\nfit ${model} on ${data} by lbfgs(restarts = ${restarts}, restarts_from = ${from}, max_iter = ${maxIter}, seed = ${seed})\n`);
      const r = spawnSync('node', [cli, 'fit', file, '--out', join(dir, 'out.json'), '--json', '--force'], { encoding: 'utf8' });
      const j = JSON.parse(r.stdout || '{}');
      const lml = j.fit?.gp?.log_marginal_likelihood;
      lmls.push(lml);
      console.log(JSON.stringify({ case: c.name, from, seed, lml, hyper: j.fit?.gp?.hyperparameters, err: lml === undefined ? r.stderr.slice(0, 200) : undefined }));
    }
    const ok = lmls.filter((v) => typeof v === 'number');
    console.log(`# ${c.name} ${from}: min ${Math.min(...ok).toFixed(4)} median ${ok.sort((a, b) => a - b)[Math.floor(ok.length / 2)].toFixed(4)} max ${Math.max(...ok).toFixed(4)}`);
  }
}
console.log(`# data in ${dir}`);
