// The gradient of the EM objective of a mixture of experts, by the Fisher identity
// (d/dtheta log p(y | x) = sum_k r_k d/dtheta [log g_k(x) + log f_k(y | x)], r the
// responsibilities at the current parameters), as blocks Adam moves: each block is a parameter
// in unconstrained coordinates (a variance on the log scale, a covariance as its Cholesky factor
// with a log diagonal, mixing weights as logits), its gradient there, and how to write it back.
// Gates: softmax (dense or top-K: the set a point keeps is locally constant, so the gradient is
// the dense one's restricted to it), trees of any depth (each node's softmax, on its children's
// shares of the path posterior), Gaussian (weights, means, covariances). Experts: linear (diag or
// full noise), Poisson, Bernoulli, multinomial and leaf experts.
import type { MoeData } from './data.js';
import { categoricalProbs } from './expert-categorical.js';
import { glmMean } from './expert-glm.js';
import { leafGradient } from './expert-leaf.js';
import { softmaxLogGate, type SoftmaxGate } from './gate-softmax.js';
import { levelNodes } from './gate-tree.js';
import { chol, cholSolve } from './linalg.js';
import type { MoeModel } from './model.js';

export interface Block {
  readonly key: string;
  /** The block's values in unconstrained coordinates (Adam moves these in place). */
  readonly u: Float64Array;
  readonly grad: Float64Array;
  /** Writes u back to the model's parameters (identity blocks: u is the parameter itself). */
  apply(): void;
}

const xt = (d: MoeData, i: number, D: number, out: Float64Array): Float64Array => {
  for (let j = 0; j < D; j++) out[j] = d.X[i * D + j]!;
  out[D] = 1;
  return out;
};

/** A softmax gate's gradient for targets T (n x K, e.g. responsibilities) and row weights w: sum_i w_i (T_ik - p_ik) [x_i, 1], minus the ridge on the slopes. */
function softmaxGrad(g: SoftmaxGate, d: MoeData, T: ArrayLike<number>, w: ArrayLike<number>, grad: Float64Array, frac: number): void {
  const { K, D } = g;
  const M = D + 1;
  const lg = softmaxLogGate(g, d.X, d.n);
  const x = new Float64Array(M);
  for (let i = 0; i < d.n; i++) {
    if (!(w[i]! > 0)) continue;
    xt(d, i, D, x);
    for (let k = 0; k < K - 1; k++) {
      const c = w[i]! * (T[i * K + k]! - Math.exp(lg[i * K + k]!));
      if (c !== 0) for (let a = 0; a < M; a++) grad[k * M + a] += c * x[a]!;
    }
  }
  for (let k = 0; k < K - 1; k++) for (let j = 0; j < D; j++) grad[k * M + j] -= frac * g.ridge * g.W[k * M + j]!;
}

const identity = (key: string, values: Float64Array): Block => ({ key, u: values, grad: new Float64Array(values.length), apply: () => undefined });

/** Cholesky blocks of K covariances [K, m, m]: u holds each factor's lower triangle, log on the diagonal. */
function choleskyBlock(key: string, S: Float64Array, K: number, m: number): { block: Block; L: Float64Array[]; Sinv: Float64Array[]; addGrad(k: number, G: Float64Array): void } {
  const L = Array.from({ length: K }, (_, k) => chol(S.subarray(k * m * m, (k + 1) * m * m), m) ?? Float64Array.from({ length: m * m }, (_, i) => (i % (m + 1) === 0 ? 1 : 0)));
  const u = new Float64Array(K * m * m);
  L.forEach((l, k) => l.forEach((v, i) => (u[k * m * m + i] = i % (m + 1) === 0 ? Math.log(v) : v)));
  const Sinv = L.map((l) => {
    const inv = new Float64Array(m * m);
    for (let c = 0; c < m; c++) {
      const e = new Float64Array(m);
      e[c] = 1;
      const col = cholSolve(l, m, e);
      for (let r = 0; r < m; r++) inv[r * m + c] = col[r]!;
    }
    return inv;
  });
  const grad = new Float64Array(K * m * m);
  // G: d objective / d S_k (symmetric); d/dL = 2 G L (lower triangle), times L_jj on the log diagonal
  const addGrad = (k: number, G: Float64Array): void => {
    const l = L[k]!;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c <= r; c++) {
        let s = 0;
        for (let t = 0; t < m; t++) s += 2 * G[r * m + t]! * l[t * m + c]!;
        grad[k * m * m + r * m + c] += r === c ? s * l[r * m + r]! : s;
      }
    }
  };
  const block: Block = {
    key,
    u,
    grad,
    apply: () => {
      for (let k = 0; k < K; k++) {
        const l = new Float64Array(m * m);
        for (let r = 0; r < m; r++) for (let c = 0; c <= r; c++) l[r * m + c] = r === c ? Math.exp(u[k * m * m + r * m + c]!) : u[k * m * m + r * m + c]!;
        for (let r = 0; r < m; r++) {
          for (let c = 0; c < m; c++) {
            let s = 0;
            for (let t = 0; t <= Math.min(r, c); t++) s += l[r * m + t]! * l[c * m + t]!;
            S[k * m * m + r * m + c] = s;
          }
        }
      }
    },
  };
  return { block, L, Sinv, addGrad };
}

/** G += c * 0.5 (S^-1 z z^T S^-1 - S^-1), the gradient of c log N(z; 0, S) in S. */
function addGaussianCov(G: Float64Array, Sinv: Float64Array, z: ArrayLike<number>, m: number, c: number): Float64Array {
  const a = new Float64Array(m);
  for (let r = 0; r < m; r++) for (let t = 0; t < m; t++) a[r] += Sinv[r * m + t]! * z[t]!;
  for (let r = 0; r < m; r++) for (let t = 0; t < m; t++) G[r * m + t] += 0.5 * c * (a[r]! * a[t]! - Sinv[r * m + t]!);
  return a;
}

/** The gate's blocks, with their gradients at responsibilities R; `frac`: the rows' share of all the rows (a mini-batch's), which scales the ridge penalty's gradient. */
export function gateBlocks(m: MoeModel, d: MoeData, R: Float64Array, frac = 1): Block[] {
  const K = m.spec.K;
  if (m.softmax) {
    const b = identity('gate', m.softmax.W);
    softmaxGrad(m.softmax, d, R, d.w, b.grad, frac);
    return [b];
  }
  if (m.tree) {
    const g = m.tree;
    const L = g.fan.length;
    const nodes = levelNodes(g.fan);
    const mass: Float64Array[] = new Array(L + 1);
    mass[L] = R;
    for (let l = L - 1; l >= 0; l--) {
      const f = g.fan[l]!;
      const here = new Float64Array(d.n * nodes[l]!);
      for (let i = 0; i < d.n; i++) for (let v = 0; v < nodes[l]!; v++) for (let c = 0; c < f; c++) here[i * nodes[l]! + v] += mass[l + 1]![i * nodes[l]! * f + v * f + c]!;
      mass[l] = here;
    }
    const blocks: Block[] = [];
    g.levels.forEach((level, l) => {
      const f = g.fan[l]!;
      level.forEach((gate, v) => {
        const b = identity(`gate.${l}.${v}`, gate.W);
        const w = new Float64Array(d.n);
        const shares = new Float64Array(d.n * f);
        for (let i = 0; i < d.n; i++) {
          const rv = mass[l]![i * nodes[l]! + v]!;
          w[i] = d.w[i]! * rv;
          for (let c = 0; c < f; c++) shares[i * f + c] = rv > 0 ? mass[l + 1]![i * nodes[l]! * f + v * f + c]! / rv : 1 / f;
        }
        softmaxGrad(gate, d, shares, w, b.grad, frac);
        blocks.push(b);
      });
    });
    return blocks;
  }
  // Gaussian: logits of the weights, the means, the covariances' Cholesky factors
  const g = m.gaussian!;
  const D = g.D;
  const logits = Float64Array.from(g.pi, Math.log);
  const piBlock: Block = {
    key: 'gate.pi',
    u: logits,
    grad: new Float64Array(K),
    apply: () => {
      const mx = Math.max(...logits);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(logits[k]! - mx);
      for (let k = 0; k < K; k++) g.pi[k] = Math.exp(logits[k]! - mx) / s;
    },
  };
  const meanBlock = identity('gate.mean', g.mean);
  const cov = choleskyBlock('gate.cov', g.cov, K, D);
  const z = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    const G = new Float64Array(D * D);
    for (let i = 0; i < d.n; i++) {
      const c = d.w[i]! * R[i * K + k]!;
      piBlock.grad[k] += c - d.w[i]! * g.pi[k]!;
      if (c === 0) continue;
      for (let j = 0; j < D; j++) z[j] = d.X[i * D + j]! - g.mean[k * D + j]!;
      const a = addGaussianCov(G, cov.Sinv[k]!, z, D, c);
      for (let j = 0; j < D; j++) meanBlock.grad[k * D + j] += c * a[j]!;
    }
    cov.addGrad(k, G);
  }
  return [piBlock, meanBlock, cov.block];
}

/** The experts' blocks, with their gradients at responsibilities R. */
export function expertBlocks(m: MoeModel, d: MoeData, R: Float64Array, frac = 1): Block[] {
  const { K, D, P } = m.spec;
  const M1 = D + 1;
  const x = new Float64Array(M1);
  if (m.leaf) {
    const e = m.leaf;
    const b = identity('coef', e.coef);
    const size = e.coef.length / K;
    const c = new Float64Array(d.n);
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < d.n; i++) c[i] = d.w[i]! * R[i * K + k]!;
      leafGradient(e, d, c, e.coef.subarray(k * size, (k + 1) * size), b.grad.subarray(k * size, (k + 1) * size));
    }
    return [b];
  }
  if (m.linear?.full) {
    const e = m.linear;
    const coef = identity('coef', e.coef);
    const cov = choleskyBlock('noise', e.noise, K, P);
    const z = new Float64Array(P);
    for (let k = 0; k < K; k++) {
      const G = new Float64Array(P * P);
      for (let i = 0; i < d.n; i++) {
        const c = d.w[i]! * R[i * K + k]!;
        if (c === 0) continue;
        xt(d, i, D, x);
        for (let p = 0; p < P; p++) {
          let mu = 0;
          for (let a = 0; a < M1; a++) mu += e.coef[(k * P + p) * M1 + a]! * x[a]!;
          z[p] = d.Y[i * P + p]! - mu;
        }
        const a = addGaussianCov(G, cov.Sinv[k]!, z, P, c);
        for (let p = 0; p < P; p++) for (let q = 0; q < M1; q++) coef.grad[(k * P + p) * M1 + q] += c * a[p]! * x[q]!;
      }
      cov.addGrad(k, G);
    }
    return [coef, cov.block];
  }
  const coefArr = (m.linear ?? m.glm ?? m.cat)!.coef;
  const coef = identity('coef', coefArr);
  const logVar = m.linear ? m.linear.noise.map(Math.log) : undefined;
  const noise: Block | undefined = logVar ? { key: 'noise', u: logVar, grad: new Float64Array(K * P), apply: () => logVar.forEach((v, i) => (m.linear!.noise[i] = Math.exp(v))) } : undefined;
  const probs = m.cat ? categoricalProbs(m.cat, d.X, d.n) : undefined;
  for (let i = 0; i < d.n; i++) {
    xt(d, i, D, x);
    for (let k = 0; k < K; k++) {
      const wr = d.w[i]! * R[i * K + k]!;
      if (wr === 0) continue;
      if (m.linear) {
        for (let p = 0; p < P; p++) {
          const y = d.Y[i * P + p]!;
          if (Number.isNaN(y)) continue;
          let mu = 0;
          for (let a = 0; a < M1; a++) mu += m.linear.coef[(k * P + p) * M1 + a]! * x[a]!;
          const s2 = m.linear.noise[k * P + p]!;
          for (let a = 0; a < M1; a++) coef.grad[(k * P + p) * M1 + a] += (wr * (y - mu) * x[a]!) / s2;
          noise!.grad[k * P + p] += 0.5 * wr * ((y - mu) ** 2 / s2 - 1);
        }
      } else if (m.glm) {
        const y = d.Y[i]!;
        if (Number.isNaN(y)) continue;
        let t = 0;
        for (let a = 0; a < M1; a++) t += m.glm.coef[k * M1 + a]! * x[a]!;
        const mu = glmMean(m.glm.kind, t);
        for (let a = 0; a < M1; a++) coef.grad[k * M1 + a] += wr * (y - mu) * x[a]!;
      } else {
        const c = m.cat!;
        const y = d.Y[i]!;
        if (Number.isNaN(y)) continue;
        for (let l = 1; l < c.L; l++) {
          const resid = (y === l ? 1 : 0) - probs![(i * K + k) * c.L + l]!;
          for (let a = 0; a < M1; a++) coef.grad[(k * (c.L - 1) + l - 1) * M1 + a] += wr * resid * x[a]!;
        }
      }
    }
  }
  if (m.cat) for (let r = 0; r < K * (m.cat.L - 1); r++) for (let j = 0; j < D; j++) coef.grad[r * M1 + j] -= frac * m.cat.ridge * m.cat.coef[r * M1 + j]!;
  return noise ? [coef, noise] : [coef];
}
