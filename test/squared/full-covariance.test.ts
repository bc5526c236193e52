// Squared circuits with full-covariance (and tied) Normal leaves (issue 22, item 3), against
// numbers computed here independently: Z = sum_ij w_i w_j N(mu_i | mu_j, S_i + S_j) with this
// file's own determinant and solve, normalization and marginals by numerical integration,
// gradients by central differences, CDFs, intervals and moments by quadrature, and an Adam fit
// of a ring.
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { ModelState } from '../../runtime/state.js';
import { logPartition, squaredGradients, squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { squaredCdf, squaredSample } from '../../runtime/squared/sample.js';
import { squaredBoxLog, squaredMoment } from '../../runtime/squared/summaries.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, tempDir } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { simpson } from './helpers.js';

const reals = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));

/** det and solve of a small dense matrix by Gaussian elimination with partial pivoting (independent of stdlib/linalg). */
function detSolve(a: number[][], b: number[]): { det: number; x: number[] } {
  const n = a.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (p !== c) {
      [m[p], m[c]] = [m[c]!, m[p]!];
      det = -det;
    }
    det *= m[c]![c]!;
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k] -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return { det, x };
}

/** N(x | m, S) for small dense S. */
function mvn(x: number[], m: number[], S: number[][]): number {
  const d = x.map((v, i) => v - m[i]!);
  const { det, x: z } = detSolve(S, d);
  const q = d.reduce((s, v, i) => s + v * z[i]!, 0);
  return Math.exp(-0.5 * q) / Math.sqrt((2 * Math.PI) ** x.length * det);
}

interface Mix {
  w: number[];
  m: number[][];
  S: number[][][];
}

const add = (A: number[][], B: number[][]): number[][] => A.map((r, i) => r.map((v, j) => v + B[i]![j]!));
const closedZ = (mx: Mix): number => {
  let z = 0;
  for (let i = 0; i < mx.w.length; i++) for (let j = 0; j < mx.w.length; j++) z += mx.w[i]! * mx.w[j]! * mvn(mx.m[i]!, mx.m[j]!, add(mx.S[i]!, mx.S[j]!));
  return z;
};
const cOf = (mx: Mix, x: number[]): number => mx.w.reduce((s, w, k) => s + w * mvn(x, mx.m[k]!, mx.S[k]!), 0);

/** square(mixture(k) of Normal(variant)) over D variables with the given numbers written into its parameters. */
function squared(variant: 'full' | 'tied', mx: Mix, body?: string): ModelState {
  const K = mx.w.length;
  const D = mx.m[0]!.length;
  const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body ?? `square(mixture(k = ${K}) of Normal(${variant}))`}`), 'M', reals(D));
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  for (const [name, vals] of s.values) {
    if (name.endsWith('.weights')) vals.set(mx.w);
    else if (name.endsWith('.mean')) vals.set(mx.m.flat());
    else if (name.endsWith('.cov')) vals.set(variant === 'tied' ? mx.S[0]!.flat() : mx.S.flat(2));
  }
  return s;
}

const spd = (rng: Rng, D: number): number[][] => {
  // A A^T + 0.2 I with correlated entries
  const A = Array.from({ length: D }, () => Array.from({ length: D }, () => rng.uniform() * 1.2 - 0.6));
  return A.map((r, i) => A.map((q, j) => r.reduce((s, v, k) => s + v * q[k]!, 0) + (i === j ? 0.2 : 0)));
};
function randomMix(seed: number, K: number, D: number, tied = false): Mix {
  const rng = new Rng(seed);
  const shared = spd(rng, D);
  const w = Array.from({ length: K }, (_, k) => (k % 2 ? -1 : 1) * (0.3 + rng.uniform()));
  return { w, m: Array.from({ length: K }, () => Array.from({ length: D }, () => 2 * rng.uniform() - 1)), S: Array.from({ length: K }, () => (tied ? shared : spd(rng, D))) };
}

const lp = (s: ModelState, ...x: number[]): number => squaredLogDensity(s, Float64Array.from(x), 1)[0]!;

describe('squared circuits with Normal(full) leaves: the partition function', () => {
  it('Z = sum_ij w_i w_j N(mu_i | mu_j, S_i + S_j) to 1e-12 in 2-D and 3-D, with negative weights', () => {
    for (const [seed, K, D] of [
      [1, 2, 2],
      [2, 3, 2],
      [3, 3, 3],
      [4, 4, 3],
    ] as const) {
      const mx = randomMix(seed, K, D);
      expect(mx.w.some((w) => w < 0)).toBe(true);
      const ref = closedZ(mx);
      const z = Math.exp(logPartition(squared('full', mx)));
      expect(Math.abs(z - ref) / ref, `K = ${K}, D = ${D}`).toBeLessThan(1e-12);
    }
  });

  it('tied covariances: the same closed form, one shared S', () => {
    const mx = randomMix(7, 3, 3, true);
    const ref = closedZ(mx);
    expect(Math.abs(Math.exp(logPartition(squared('tied', mx))) - ref) / ref).toBeLessThan(1e-12);
  });

  it('the density is c(x)^2 / Z pointwise and integrates to 1 in 2-D', () => {
    const mx: Mix = {
      w: [1, -0.6, 0.4],
      m: [[0, 0], [0.3, -0.2], [1.2, 0.8]],
      S: [
        [[1.4, 0.5], [0.5, 0.9]],
        [[0.5, -0.2], [-0.2, 0.4]],
        [[0.3, 0.1], [0.1, 0.6]],
      ],
    };
    const s = squared('full', mx);
    const z = closedZ(mx);
    for (const x of [[0, 0], [1, -1], [-0.5, 2]]) expect(lp(s, ...x)).toBeCloseTo(Math.log(cOf(mx, x) ** 2 / z), 10);
    const inner = (x: number): number => simpson((y) => Math.exp(lp(s, x, y)), -9, 9, 200);
    expect(simpson(inner, -9, 9, 200)).toBeCloseTo(1, 7);
  });
});

describe('squared circuits with Normal(full) leaves: queries', () => {
  const mx: Mix = {
    w: [1, -0.7],
    m: [[0, 0.2], [0.4, -0.1]],
    S: [
      [[1.5, 0.6], [0.6, 1.1]],
      [[0.4, -0.25], [-0.25, 0.5]],
    ],
  };
  const s = squared('full', mx);
  const joint = (x: number, y: number): number => cOf(mx, [x, y]) ** 2 / closedZ(mx);

  it('marginals (missing cells) agree with the joint integrated numerically', () => {
    for (const x of [-1.3, 0, 0.9]) {
      expect(Math.exp(lp(s, x, NaN))).toBeCloseTo(simpson((y) => joint(x, y), -12, 12, 2000), 9);
      expect(Math.exp(lp(s, NaN, x))).toBeCloseTo(simpson((y) => joint(y, x), -12, 12, 2000), 9);
    }
    expect(lp(s, NaN, NaN)).toBeCloseTo(0, 12);
  });

  it('conditional CDFs (the sampler) agree with quadrature, and samples pass a KS test against them', () => {
    const x0 = 0.7;
    const pm = simpson((y) => joint(x0, y), -12, 12, 2000);
    const ts = Float64Array.of(-1, 0, 0.5, 1.5);
    const cdf = squaredCdf(s, 1, ts, Float64Array.of(x0, NaN));
    ts.forEach((t, i) => expect(cdf[i]!).toBeCloseTo(simpson((y) => joint(x0, y), -12, t, 2000) / pm, 8));
    // marginal of x0 (x1 integrated out) then exact draws of both
    const n = 2000;
    const draws = squaredSample(s, n, new Rng(11));
    const xs = Array.from({ length: n }, (_, i) => draws[2 * i]!).sort((a, b) => a - b);
    const F = squaredCdf(s, 0, Float64Array.from(xs));
    let ks = 0;
    xs.forEach((_, i) => (ks = Math.max(ks, Math.abs(F[i]! - (i + 1) / n), Math.abs(F[i]! - i / n))));
    expect(ks).toBeLessThan(1.63 / Math.sqrt(n)); // 1% level
    // the second coordinate given the first: its conditional CDF at the draws is uniform
    const u = Array.from({ length: n }, (_, i) => squaredCdf(s, 1, Float64Array.of(draws[2 * i + 1]!), Float64Array.of(draws[2 * i]!, NaN))[0]!).sort((a, b) => a - b);
    let ks2 = 0;
    u.forEach((v, i) => (ks2 = Math.max(ks2, Math.abs(v - (i + 1) / n), Math.abs(v - i / n))));
    expect(ks2).toBeLessThan(1.63 / Math.sqrt(n));
  });

  it('interval probabilities and moments of one variable match quadrature; two boxed variables of one leaf are refused', () => {
    // squaredBoxLog is unnormalized (f, not f / Z)
    const logZ = logPartition(s);
    const box = Math.exp(squaredBoxLog(s, [{ v: 1, lower: -0.5, upper: 0.8 }], Float64Array.of(0.3, NaN)) - logZ);
    expect(box).toBeCloseTo(simpson((y) => joint(0.3, y), -0.5, 0.8, 2000), 10);
    const boxM = Math.exp(squaredBoxLog(s, [{ v: 0, lower: -1, upper: 0.5 }], Float64Array.of(NaN, NaN)) - logZ);
    expect(boxM).toBeCloseTo(simpson((x) => simpson((y) => joint(x, y), -12, 12, 600), -1, 0.5, 300), 8);
    const pm = simpson((y) => joint(0.3, y), -12, 12, 2000);
    const mean = squaredMoment(s, 1, 1, 0, Float64Array.of(0.3, NaN));
    expect(mean).toBeCloseTo(simpson((y) => y * joint(0.3, y), -12, 12, 2000) / pm, 9);
    const m2 = squaredMoment(s, 1, 2, mean, Float64Array.of(0.3, NaN));
    expect(m2).toBeCloseTo(simpson((y) => (y - mean) ** 2 * joint(0.3, y), -12, 12, 2000) / pm, 9);
    expect(() =>
      squaredBoxLog(
        s,
        [
          { v: 0, lower: -1, upper: 1 },
          { v: 1, lower: -1, upper: 1 },
        ],
        Float64Array.of(NaN, NaN),
      ),
    ).toThrow(/2 variables of one Normal\(full\) leaf .*multivariate Normal CDF/);
  });

  it('c_plus * square(c) with full leaves: the triple product integrates to 1 in 2-D', () => {
    const body = 'P * square(mixture(k = 2) of Normal(full))';
    const prog = compileOk(`model P = mixture(k = 2) of Normal(full)\nmodel M = ${body}`);
    const { graph, diagnostics } = lowerModel(prog, 'M', reals(2));
    if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
    const st = new ModelState(graph);
    const rng = new Rng(3);
    for (const [name, vals] of st.values) {
      const p = st.param(name);
      if (p.param.kind === 'spd') for (let u = 0; u < vals.length / 4; u++) vals.set(spd(rng, 2).flat(), 4 * u);
      else if (p.param.kind === 'identity') for (let i = 0; i < vals.length; i++) vals[i] = 2 * rng.uniform() - 1;
      else if (p.param.kind === 'signed') vals.set([1, -0.5]);
      else if (p.param.kind === 'simplex') vals.set([0.3, 0.7]);
    }
    const inner = (x: number): number => simpson((y) => Math.exp(lp(st, x, y)), -10, 10, 200);
    expect(simpson(inner, -10, 10, 200)).toBeCloseTo(1, 6);
    expect(Math.exp(lp(st, 0.4, NaN))).toBeCloseTo(simpson((y) => Math.exp(lp(st, 0.4, y)), -10, 10, 1000), 8);
  });
});

describe('squared circuits with Normal(full) leaves: gradients', () => {
  for (const variant of ['full', 'tied'] as const) {
    it(`${variant}: match central finite differences, complete rows and rows with missing cells (3-D)`, () => {
      const s = squared(variant, randomMix(variant === 'full' ? 5 : 6, 3, 3, variant === 'tied'));
      const x = Float64Array.of(0.3, -0.2, 0.5, -1.1, NaN, 0.9, NaN, NaN, 0.4, 0.2, 0.1, NaN);
      const rw = Float64Array.of(1, 0.5, 2, 1.5);
      const { grads, logLik } = squaredGradients(s, x, 4, rw);
      const ll = (): number => squaredLogDensity(s, x, 4).reduce((a, v, i) => a + rw[i]! * v, 0);
      expect(logLik).toBeCloseTo(ll(), 10);
      for (const [name, vals] of s.values) {
        const D = 3;
        for (let k = 0; k < vals.length; k++) {
          // a covariance moves symmetrically: (r, c) and (c, r) together; the gradient is per entry
          const isCov = name.endsWith('.cov');
          const r = Math.floor((k % (D * D)) / D);
          const c = k % D;
          if (isCov && c < r) continue;
          const mirror = isCov ? k - (k % (D * D)) + c * D + r : k;
          const h = 1e-6;
          const bump = (v: number): number => {
            const o1 = vals[k]!;
            vals[k] = o1 + v;
            if (mirror !== k) vals[mirror] = o1 + v;
            const out = ll();
            vals[k] = o1;
            vals[mirror] = o1;
            return out;
          };
          const fd = (bump(h) - bump(-h)) / (2 * h);
          const g = grads.get(name)![k]! + (mirror !== k ? grads.get(name)![mirror]! : 0);
          expect(g, `${name}[${k}]`).toBeCloseTo(fd, 5);
        }
      }
    });
  }
});

describe('squared circuits mixing Normal(full) with diag and spherical leaves over the same variables', () => {
  const body =
    'square(mixture(weights = [1, -0.5, 0.3]) { Normal(full, mean = [0, 0.3], cov = [[1.2, 0.4], [0.4, 0.8]]), Normal(diag, mean = [0.2, -0.1], sd = [0.6, 0.7]), Normal(spherical, mean = [-0.4, 0.5], sd = [0.9, 0.9]) })';
  const mx: Mix = {
    w: [1, -0.5, 0.3],
    m: [[0, 0.3], [0.2, -0.1], [-0.4, 0.5]],
    S: [
      [[1.2, 0.4], [0.4, 0.8]],
      [[0.36, 0], [0, 0.49]],
      [[0.81, 0], [0, 0.81]],
    ],
  };
  const load = (): ModelState => {
    const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body}`), 'M', reals(2));
    if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
    return new ModelState(graph);
  };

  it('Z is the closed form to 1e-12 and a marginal matches quadrature', () => {
    const s = load();
    const ref = closedZ(mx);
    expect(Math.abs(Math.exp(logPartition(s)) - ref) / ref).toBeLessThan(1e-12);
    expect(Math.exp(lp(s, 0.4, NaN))).toBeCloseTo(simpson((y) => cOf(mx, [0.4, y]) ** 2 / ref, -12, 12, 2000), 9);
  });

  it('gradients of every leaf (cov, var, spherical var) match central finite differences', () => {
    const s = load();
    const x = Float64Array.of(0.3, -0.2, NaN, 0.9, 1.4, NaN);
    const rw = Float64Array.of(1, 0.5, 2);
    const { grads } = squaredGradients(s, x, 3, rw);
    const ll = (): number => squaredLogDensity(s, x, 3).reduce((a, v, i) => a + rw[i]! * v, 0);
    for (const [name, vals] of s.values) {
      for (let k = 0; k < vals.length; k++) {
        const isCov = name.endsWith('.cov');
        const mirror = isCov ? [0, 2, 1, 3][k]! : k;
        if (mirror < k) continue;
        const h = 1e-6;
        const bump = (v: number): number => {
          const o = vals[k]!;
          vals[k] = o + v;
          vals[mirror] = o + v;
          const out = ll();
          vals[k] = o;
          vals[mirror] = o;
          return out;
        };
        const g = grads.get(name)![k]! + (mirror !== k ? grads.get(name)![mirror]! : 0);
        expect(g, `${name}[${k}]`).toBeCloseTo((bump(h) - bump(-h)) / (2 * h), 5);
      }
    }
  });
});

describe('squared circuits with Normal(full) leaves: language and fitting', () => {
  it('square(mixture of Normal(full)) and (tied) lower; a leaf without a closed form is refused as unsupported-leaf on its inputs', () => {
    for (const b of ['square(mixture(k = 2) of Normal(full))', 'square(mixture(k = 2) of Normal(tied))', 'square(mixture(weights = [1, -0.5]) { Normal(full), Normal(diag) })']) {
      const r = lowerModel(compileOk(`model M = ${b}`), 'M', reals(3));
      expect(r.diagnostics, b).toEqual([]);
    }
    const ints: IRVariable[] = [0, 1].map((i) => ({ name: `n${i}`, type: { kind: 'int' } }));
    const src = 'model M = square(circuit {\n  region random_tree(depth = 1)\n  inputs Poisson\n  sum real(units = 2)\n})';
    const r = lowerModel(compileOk(src), 'M', ints);
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.code).toBe('unsupported-leaf');
    expect(d.message).toMatch(/Poisson leaves are not supported in squared circuits/);
    expect(d.span?.startLine).toBe(3);
  });

  it('Adam fits the ring (examples/squared-ring) with Normal(full) leaves without NaN, and the likelihood rises', () => {
    const dir = tempDir();
    const ring = readFileSync(join(__dirname, '../../examples/squared-ring/ring.csv'), 'utf8').split('\n').slice(0, 601).join('\n') + '\n';
    writeFileSync(join(dir, 'ring.csv'), ring);
    const head = 'data d from "ring.csv" { x: real, y: real }\n';
    const body = 'square(mixture(weights = [1.0, -0.45, 0.2]) { Normal(full, mean = [0, 0], cov = [[2.9, 0], [0, 2.9]]), Normal(full, mean = [0, 0], cov = [[1.44, 0], [0, 1.44]]), Normal(full, mean = [2, 0], cov = [[0.64, 0], [0, 0.64]]) })';
    const lls = [1, 60].map((epochs) => {
      const p = compileOk(`${head}model M = ${body}\nfit M on d by adam(lr = 0.02, epochs = ${epochs}, batch = 200, seed = 1)`, join(dir, 'm.pmix'));
      const sess = new Session(p);
      const sum = sess.fit(p.steps.find((st) => st.kind === 'fit') as never);
      const st = sess.stateOf('M');
      for (const [name, vals] of st.values) for (const v of vals) expect(Number.isFinite(v), name).toBe(true);
      return sum.mean_log_likelihood;
    });
    expect(Number.isFinite(lls[0]!)).toBe(true);
    expect(lls[1]!).toBeGreaterThan(lls[0]!);
    // training mean log-likelihood on 600 points: the written diag start reaches about -2.94 on the test set (docs/squared.md), three monotone blobs about -3.2
    expect(lls[1]!).toBeGreaterThan(-3.05);
    // the default start (k-means, random signs) with full leaves: finite all the way
    const p = compileOk(`${head}model M = square(mixture(k = 3) of Normal(full))\nfit M on d by adam(lr = 0.02, epochs = 30, batch = 200, seed = 2)`, join(dir, 'm2.pmix'));
    const sess = new Session(p);
    const sum = sess.fit(p.steps.find((st) => st.kind === 'fit') as never);
    expect(Number.isFinite(sum.mean_log_likelihood)).toBe(true);
    for (const [name, vals] of sess.stateOf('M').values) for (const v of vals) expect(Number.isFinite(v), name).toBe(true);
  });
});
