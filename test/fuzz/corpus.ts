// Seed model texts for the fuzzers: the examples (with their data cut to a few dozen rows,
// so that every step can run) and a few programs that cover the rest of the language.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;

const EXTRA_SEEDS = [
  `let s = 2 * pi
data d from "data/mixed.csv" { x: real, y: real, n: int, b: bool, c: categorical("a", "b", "c"), w: real }
model M = mixture(k = 2) of product { (x, y): Normal(diag), n: Poisson, b: Bernoulli, c: Categorical }
model T(x) = mixture(weights = [0.3, 0.7]) { Normal(mean = 0, sd = 1 in [0.1, 10]), Normal(mean = 5 fixed, sd = s) }
model N = mixture(k = 2) of mixture(k = 2) of product { (x, y): Normal(spherical), n: Poisson, b: Bernoulli, c: Categorical }
fit M on d by em(max_iter = 20, tol = 1e-4, restarts = 2, init = random, reg_covar = 1e-6, seed = 1)
fit N on d weights w by adam(lr = 0.05, epochs = 3, batch = 16, seed = 2)
query M: p(x | c = "a")
query M: mean(n | b = true)
query M: mode(b = false)
query M: sample(2, seed = 3)
query T: logp(x = 1)
query T: p(x)
query N: posterior(x = 1, y = 2)
query M: logp(x = 1 | y = 2)
`,
  `data e from "data/positive.csv" { a: real, b: real, p: real, k: int }
model P = mixture(k = 2) of product { a: Gamma, b: LogNormal, p: Beta, k: Binomial(n = 10) }
model Q = mixture(k = 3) of product { (a, b): Exponential, p: Laplace, k: StudentT }
model R = mixture(k = 2) of Normal(tied)
fit P on e by em(max_iter = 10, seed = 4)
fit Q on e by em(max_iter = 10, init = random)
fit R on e by adam(epochs = 2, batch = 8)
query P: p(a | k = 3)
query Q: logp(a = 1, p = 0.5)
query P: mode()
query R: p(a, b | p = 0.2)
query Q: sample(3)
`,
  `data d from "data/mixed.csv" { x: real, y: real, n: int, b: bool, c: categorical("a", "b", "c"), w: real }
model C(x, y, n, b, c) = circuit { region random_tree(depth = 2, repeats = 2, seed = 1) sum(units = 3) product kronecker }
model L(x, y, b, c) = circuit { region chow_liu; sum(units = 2); product cp }
model G(x, y, w, n) = circuit { region quad_tree(width = 2, arity = 4) inputs Normal(diag, units = 2) sum(units = 2) }
fit C on d by em(max_iter = 5, smoothing = 0.1, seed = 3)
fit L on d by em(max_iter = 4, batch = 8, step_size = 0.5, validation = 0.2, patience = 2)
fit G on d by adam(epochs = 2, batch = 16, validation = 0.25)
query C: mode(b = true)
query C: p(x in [0, 1] | c = "a")
query L: sample(3 | b = false)
query L: mean(x | c = "b")
query G: logp(x = 1, y in [0, 2])
`,
  `data d from "data/mixed.csv" { x: real, y: real, n: int, b: bool, c: categorical("a", "b", "c"), w: real }
model W(x) = integral z: real in [-1, 1] by gauss_legendre(points = 16) of Normal(mean = mlp(hidden = 8, layers = 2), sd = 0.5)
model F = integral z: normal by gauss_hermite(points = 8) of product { (x, y): Normal(mean = 2 * z + 1, sd = 0.5), b: Bernoulli(p = mlp(hidden = 4)) }
model M(x) = mixture { integral z: real in [0, 1] of Normal(mean = tanh(2 * z), sd = 1), integral u: normal of Normal(mean = u, sd = 0.5 fixed) }
model C = circuit { region random_tree(depth = 2)  integral trapezoid(points = 4, eval_points = 8)  net mlp(hidden = 4, layers = 1)  sharing full }
fit W on d by adam(epochs = 2, batch = 16)
fit F on d by adam(epochs = 2, batch = 16, seed = 1)
fit M on d by adam(epochs = 2, batch = 16)
fit C on d by adam(epochs = 2, batch = 16)
query W: logp(x = 0.5)
query F: p(x | b = true)
query M: sample(2, seed = 1)
query C: mode(b = true)
`,
];

/** Rows of a small mixed-type data set (some cells missing). */
function mixedCsv(): string {
  const lines = ['x,y,n,b,c,w'];
  for (let i = 0; i < 40; i++) {
    const x = i % 7 === 3 ? '' : String(((i * 37) % 17) / 3 - (i % 2) * 4);
    const y = String(((i * 11) % 13) / 2 + (i % 3));
    lines.push([x, y, String(i % 5), i % 3 === 0 ? 'true' : 'false', 'abc'[i % 3]!, String(1 + (i % 4))].join(','));
  }
  return lines.join('\n') + '\n';
}

function positiveCsv(): string {
  const lines = ['a,b,p,k'];
  for (let i = 0; i < 40; i++) lines.push([0.5 + ((i * 7) % 11) / 4, 0.2 + ((i * 5) % 9) / 3, (0.5 + ((i * 3) % 19)) / 20, i % 11].join(','));
  return lines.join('\n') + '\n';
}

export interface Corpus {
  /** A directory with data/*.csv, where model files are placed so their data paths resolve. */
  readonly dir: string;
  readonly seeds: readonly string[];
}

/** Writes the small data sets to a fresh directory and returns the seed texts. */
export function makeCorpus(rows = 40): Corpus {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  for (const f of readdirSync(join(root, 'examples/data'))) {
    const lines = readFileSync(join(root, 'examples/data', f), 'utf8').split('\n');
    writeFileSync(join(dir, 'data', f), lines.slice(0, rows + 1).join('\n') + '\n');
  }
  writeFileSync(join(dir, 'data/mixed.csv'), mixedCsv());
  writeFileSync(join(dir, 'data/positive.csv'), positiveCsv());
  const examples = readdirSync(join(root, 'examples'))
    .filter((f) => f.endsWith('.pmix'))
    .sort()
    .map((f) => readFileSync(join(root, 'examples', f), 'utf8'));
  return { dir, seeds: [...examples, ...EXTRA_SEEDS] };
}
