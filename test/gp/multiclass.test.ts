// Multiclass Laplace (runtime/gp/multiclass.ts) against R&W Algorithms 3.3/3.4 written out densely
// here: the Cn x Cn block-diagonal K, W = D - Pi Pi^T, Newton f <- K (I + W K)^-1 (W f + y - pi),
// log q = Psi(f^) - 1/2 log det(I + K W) by Gaussian elimination, the latent predictive
// mean Q*^T (y - pi) and covariance k** I - Q*^T K^-1 Q* + Q*^T K^-1 (K^-1 + W)^-1 K^-1 Q*;
// the LML's gradient against central finite differences; the Monte Carlo class probabilities
// against a tensor Gauss-Hermite rule.
import { describe, expect, it } from 'vitest';
import type { GPNode, IRGraph, KernelExpr } from '../../ir/types.js';
import { GPCore } from '../../runtime/gp/core.js';
import { multiclassLatent, multiclassLml, multiclassPosterior } from '../../runtime/gp/multiclass.js';
import { classProbabilities } from '../../runtime/gp/multiclass-probs.js';
import { ModelState } from '../../runtime/state.js';
import { laplaceLml, laplacePosterior } from '../../runtime/gp/laplace.js';
import { classProbability } from '../../runtime/gp/predictive.js';
import { gaussHermite } from '../../stdlib/quadrature/index.js';
import { base, lcg } from './helpers.js';
import { dataOf, likState } from './laplace-helpers.js';

const kernel: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
const rbf = (a: number[], b: number[], s: number, ls: number[]): number => s * Math.exp(-0.5 * a.reduce((t, v, d) => t + ((v - b[d]!) / ls[d % ls.length]!) ** 2, 0));

function multiclassCore(C: number, s: number, ls: number[]): GPCore {
  const { state } = likState(kernel, { s: { value: [s] }, ls: { value: ls } }, { name: 'categorical', link: 'softmax' }, { inputs: 2 });
  const g = state.graph;
  const node = { ...(g.nodes[0] as GPNode), likelihood: { name: 'categorical', link: 'softmax', params: [], classes: C } };
  const graph: IRGraph = { ...g, nodes: [node] };
  const st = new ModelState(graph);
  return new GPCore(st, node);
}

/** Solves A X = B (A m x m, B m x k) by Gaussian elimination with partial pivoting; also log|det A|. */
function solve(A: number[][], B: number[][]): { x: number[][]; logDet: number } {
  const m = A.length;
  const a = A.map((r) => r.slice());
  const b = B.map((r) => r.slice());
  let logDet = 0;
  for (let k = 0; k < m; k++) {
    let p = k;
    for (let i = k + 1; i < m; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    [a[k], a[p]] = [a[p]!, a[k]!];
    [b[k], b[p]] = [b[p]!, b[k]!];
    logDet += Math.log(Math.abs(a[k]![k]!));
    for (let i = k + 1; i < m; i++) {
      const f = a[i]![k]! / a[k]![k]!;
      for (let j = k; j < m; j++) a[i]![j] -= f * a[k]![j]!;
      for (let j = 0; j < b[0]!.length; j++) b[i]![j] -= f * b[k]![j]!;
    }
  }
  for (let i = m - 1; i >= 0; i--) {
    for (let j = 0; j < b[0]!.length; j++) {
      let s = b[i]![j]!;
      for (let l = i + 1; l < m; l++) s -= a[i]![l]! * b[l]![j]!;
      b[i]![j] = s / a[i]![i]!;
    }
  }
  return { x: b, logDet };
}

const col = (v: number[]): number[][] => v.map((x) => [x]);
const matmul = (A: number[][], B: number[][]): number[][] => A.map((r) => B[0]!.map((_, j) => r.reduce((s, v, l) => s + v * B[l]![j]!, 0)));

/** The dense reference: mode, log q, and the latent predictive at test points. */
function reference(xs: number[][], y: number[], C: number, s: number, ls: number[], tests: number[][]) {
  const n = xs.length;
  const N = C * n;
  const K = Array.from({ length: N }, (_, p) => Array.from({ length: N }, (_, q) => (Math.floor(p / n) === Math.floor(q / n) ? rbf(xs[p % n]!, xs[q % n]!, s, ls) : 0)));
  const Y = Array.from({ length: N }, (_, p) => (y[p % n] === Math.floor(p / n) ? 1 : 0));
  let f = new Array<number>(N).fill(0);
  const soft = (f: number[]): number[] => {
    const pi = new Array<number>(N).fill(0);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: C }, (_, c) => Math.exp(f[c * n + i]!));
      const t = z.reduce((a, b) => a + b, 0);
      for (let c = 0; c < C; c++) pi[c * n + i] = z[c]! / t;
    }
    return pi;
  };
  const Wof = (pi: number[]): number[][] => Array.from({ length: N }, (_, p) => Array.from({ length: N }, (_, q) => (p % n === q % n ? (p === q ? pi[p]! : 0) - pi[p]! * pi[q]! : 0)));
  for (let it = 0; it < 60; it++) {
    const pi = soft(f);
    const W = Wof(pi);
    const rhs = W.map((r, p) => r.reduce((t, v, q) => t + v * f[q]!, 0) + Y[p]! - pi[p]!);
    const IWK = matmul(W, K).map((r, p) => r.map((v, q) => v + (p === q ? 1 : 0)));
    const z = solve(IWK, col(rhs)).x.map((r) => r[0]!);
    f = K.map((r) => r.reduce((t, v, q) => t + v * z[q]!, 0));
  }
  const pi = soft(f);
  const W = Wof(pi);
  const Kinvf = solve(K, col(f)).x.map((r) => r[0]!);
  let loglik = 0;
  for (let i = 0; i < n; i++) loglik += Math.log(pi[y[i]! * n + i]!);
  const IKW = matmul(K, W).map((r, p) => r.map((v, q) => v + (p === q ? 1 : 0)));
  const logq = loglik - 0.5 * f.reduce((t, v, p) => t + v * Kinvf[p]!, 0) - 0.5 * solve(IKW, col(new Array<number>(N).fill(0))).logDet;
  // Latent predictive at each test point.
  const KinvPlusW = solve(K, K.map((_, p) => K.map((__, q) => (p === q ? 1 : 0)))).x.map((r, p) => r.map((v, q) => v + W[p]![q]!));
  const Sigma = solve(KinvPlusW, K.map((_, p) => K.map((__, q) => (p === q ? 1 : 0)))).x;
  const preds = tests.map((xt) => {
    const Q = Array.from({ length: N }, (_, p) => Array.from({ length: C }, (_, c) => (Math.floor(p / n) === c ? rbf(xs[p % n]!, xt, s, ls) : 0)));
    const mean = Array.from({ length: C }, (_, c) => Q.reduce((t, r, p) => t + r[c]! * (Y[p]! - pi[p]!), 0));
    const KiQ = solve(K, Q).x;
    const QtKiQ = matmul(transpose(Q), KiQ);
    const mid = matmul(transpose(KiQ), matmul(Sigma, KiQ));
    const kss = rbf(xt, xt, s, ls);
    const cov = Array.from({ length: C }, (_, c) => Array.from({ length: C }, (_, c2) => (c === c2 ? kss : 0) - QtKiQ[c]![c2]! + mid[c]![c2]!));
    return { mean, cov };
  });
  return { f, logq, preds };
}

const transpose = (A: number[][]): number[][] => A[0]!.map((_, j) => A.map((r) => r[j]!));

function blobs(n: number, seed: number, C: number): { xs: number[][]; y: number[] } {
  const r = lcg(seed);
  const xs: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % C;
    const ang = (2 * Math.PI * c) / C;
    xs.push([1.2 * Math.cos(ang) + 1.4 * (r() - 0.5), 1.2 * Math.sin(ang) + 1.4 * (r() - 0.5)]);
    y.push(c);
  }
  return { xs, y };
}

describe('multiclass Laplace at fixed kernels', () => {
  for (const [C, s, ls] of [[3, 2.5, [0.9]], [4, 6, [0.6, 1.3]], [2, 1.5, [1.1]]] as [number, number, number[]][]) {
    it(`C = ${C}: mode, log q and the latent predictive equal the dense R&W 3.3/3.4 to 1e-8`, () => {
      const { xs, y } = blobs(14, 7 + C, C);
      const core = multiclassCore(C, s, ls);
      const d = dataOf(xs, y);
      const tests = [[0.3, -0.2], [1.5, 1], [-2, 0.4]];
      const ref = reference(xs, y, C, s, ls, tests);
      const res = multiclassLml(core, d, false);
      for (let p = 0; p < ref.f.length; p++) expect(Math.abs(res.mode.f[p]! - ref.f[p]!)).toBeLessThan(1e-8);
      expect(Math.abs(res.lml - ref.logq)).toBeLessThan(1e-8);
      const post = multiclassPosterior(core, d);
      expect(Math.abs(post.lml - ref.logq)).toBeLessThan(1e-8);
      tests.forEach((xt, t) => {
        const ks = Float64Array.from(xs, (xi) => rbf(xi, xt, s, ls));
        const lat = multiclassLatent(post, ks, rbf(xt, xt, s, ls));
        for (let c = 0; c < C; c++) {
          expect(Math.abs(lat.mean[c]! - ref.preds[t]!.mean[c]!)).toBeLessThan(1e-8);
          for (let c2 = 0; c2 < C; c2++) expect(Math.abs(lat.cov[c * C + c2]! - ref.preds[t]!.cov[c]![c2]!)).toBeLessThan(1e-8);
        }
      });
    });
  }

  it('the gradient of log q in the kernel hyperparameters (R&W 5.2) matches central finite differences', () => {
    for (const C of [3, 4]) {
      const { xs, y } = blobs(18, 3 + C, C);
      const core = multiclassCore(C, 1.7, [0.8, 1.4]);
      const d = dataOf(xs, y);
      const g = core.packGrad(multiclassLml(core, d, true).grad!);
      const theta = core.pack();
      expect(theta.length).toBe(3);
      const h = 1e-5;
      for (let k = 0; k < theta.length; k++) {
        const at = (delta: number): number => {
          const t = Float64Array.from(theta);
          t[k] += delta;
          core.unpack(t);
          return multiclassLml(core, d, false).lml;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        core.unpack(theta);
        expect(Math.abs(fd)).toBeGreaterThan(1e-3);
        expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe('class probabilities by the fixed Monte Carlo rule', () => {
  it('agree with a 3-D tensor Gauss-Hermite rule to the Monte Carlo error, sum to 1 and repeat exactly', () => {
    const q = gaussHermite(24);
    const cases: [number[], number[][]][] = [
      [[0.5, -0.3, 0.1], [[1, 0.3, -0.2], [0.3, 0.8, 0.1], [-0.2, 0.1, 1.5]]],
      [[2, 0, -1], [[0.1, 0, 0], [0, 0.1, 0], [0, 0, 0.1]]],
      [[0, 0, 0], [[4, -1, -1], [-1, 4, -1], [-1, -1, 4]]],
    ];
    for (const [m, S] of cases) {
      // f = m + L z with the (textbook) Cholesky L of S.
      const L = [[Math.sqrt(S[0]![0]!), 0, 0], [0, 0, 0], [0, 0, 0]];
      L[1]![0] = S[1]![0]! / L[0]![0]!;
      L[1]![1] = Math.sqrt(S[1]![1]! - L[1]![0]! ** 2);
      L[2]![0] = S[2]![0]! / L[0]![0]!;
      L[2]![1] = (S[2]![1]! - L[2]![0]! * L[1]![0]!) / L[1]![1]!;
      L[2]![2] = Math.sqrt(S[2]![2]! - L[2]![0]! ** 2 - L[2]![1]! ** 2);
      const ref = [0, 0, 0];
      for (let a = 0; a < q.points.length; a++) for (let b = 0; b < q.points.length; b++) for (let c = 0; c < q.points.length; c++) {
        const z = [q.points[a]!, q.points[b]!, q.points[c]!];
        const w = q.weights[a]! * q.weights[b]! * q.weights[c]!;
        const f = L.map((r, i) => m[i]! + r.reduce((t, v, k) => t + v * z[k]!, 0));
        const e = f.map(Math.exp);
        const t = e[0]! + e[1]! + e[2]!;
        for (let i = 0; i < 3; i++) ref[i] += (w * e[i]!) / t;
      }
      const p = classProbabilities(Float64Array.from(m), Float64Array.from(S.flat()));
      const again = classProbabilities(Float64Array.from(m), Float64Array.from(S.flat()));
      expect(Array.from(again)).toEqual(Array.from(p));
      expect(Math.abs(p[0]! + p[1]! + p[2]! - 1)).toBeLessThan(1e-12);
      for (let i = 0; i < 3; i++) expect(Math.abs(p[i]! - ref[i]!)).toBeLessThan(0.02);
    }
  });
});

describe('two classes against the Bernoulli logit', () => {
  // softmax(f0, f1)_1 = sigmoid(f1 - f0), and g = f1 - f0 ~ GP(0, 2K) independently of f0 + f1:
  // a categorical GP with kernel K is the Bernoulli logit GP with kernel 2K, and the Laplace
  // approximation (invariant under the linear map) agrees exactly; only the probabilities' rules differ.
  it('kernel K vs 2K: the same log q, the mode f1 - f0 and latent predictive of f1 - f0, probabilities within the Monte Carlo error', () => {
    const { xs, y } = blobs(20, 11, 2);
    const d = dataOf(xs, y);
    const cat = multiclassCore(2, 1.3, [0.9]);
    const { core: bern } = likState(kernel, { s: { value: [2.6] }, ls: { value: [0.9] } }, { name: 'bernoulli', link: 'logit' }, { inputs: 2 });
    const rc = multiclassLml(cat, d, false);
    const rb = laplaceLml(bern, d, false);
    expect(Math.abs(rc.lml - rb.lml)).toBeLessThan(1e-9);
    for (let i = 0; i < d.n; i++) expect(Math.abs(rc.mode.f[d.n + i]! - rc.mode.f[i]! - rb.mode.f[i]!)).toBeLessThan(1e-8);
    const post = multiclassPosterior(cat, d);
    const pb = laplacePosterior(bern, d);
    for (const xt of [[0.2, 0.1], [1.4, -0.3], [-1.5, 0.8]]) {
      const ks = Float64Array.from(xs, (xi) => rbf(xi, xt, 1.3, [0.9]));
      const lat = multiclassLatent(post, ks, 1.3);
      const mu = lat.mean[1]! - lat.mean[0]!;
      const v = lat.cov[3]! + lat.cov[0]! - 2 * lat.cov[1]!;
      const k2 = Float64Array.from(ks, (t) => 2 * t);
      const muB = k2.reduce((s, t, j) => s + t * pb.g[j]!, 0);
      let q = 0;
      for (let i = 0; i < d.n; i++) for (let j = 0; j < d.n; j++) q += k2[i]! * pb.r[i * d.n + j]! * k2[j]!;
      expect(Math.abs(mu - muB)).toBeLessThan(1e-8);
      expect(Math.abs(v - (2.6 - q))).toBeLessThan(1e-8);
      const p = classProbabilities(lat.mean, lat.cov);
      expect(Math.abs(p[1]! - classProbability('logit', muB, 2.6 - q))).toBeLessThan(0.01);
    }
  });
});
