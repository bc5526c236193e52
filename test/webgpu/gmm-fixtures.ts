// Shared by the GMM device tests and the bench: seeded data and parameters, and the CPU path's
// E-step and statistics (the registered float64 WebAssembly kernels) as the reference.
import { gaussianKernels } from '../../runtime/kernels/gaussian-kernels.js';
import type { GmmParams, GmmStats } from '../../runtime/webgpu/index.js';
import { Rng } from '../../stdlib/random.js';

/** n rows around K well-spread centres, offset far from 0 (the device centres the data). */
export function mixtureData(n: number, D: number, K: number, seed: number, offset = 50): Float64Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: K * D }, () => 4 * rng.normal());
  const x = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const k = rng.int(K);
    for (let d = 0; d < D; d++) x[i * D + d] = offset + centres[k * D + d]! + (0.5 + (d % 3) * 0.3) * rng.normal();
  }
  return x;
}

/** Parameters near the data: means at rows, random weights, SPD covariances (full: A A^T + I/2). */
export function mixtureParams(x: Float64Array, n: number, D: number, K: number, full: boolean, seed: number): GmmParams {
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: K }, () => 0.5 + rng.uniform());
  const s = w.reduce((a, b) => a + b, 0);
  const means = new Float64Array(K * D);
  for (let k = 0; k < K; k++) {
    const i = rng.int(n);
    means.set(x.subarray(i * D, i * D + D), k * D);
  }
  let cov: Float64Array;
  if (!full) cov = Float64Array.from({ length: K * D }, () => 0.5 + 3 * rng.uniform());
  else {
    cov = new Float64Array(K * D * D);
    for (let k = 0; k < K; k++) {
      const a = Array.from({ length: D * D }, () => rng.normal() * 0.6);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
        let v = i === j ? 0.5 : 0;
        for (let t = 0; t < D; t++) v += a[i * D + t]! * a[j * D + t]!;
        cov[k * D * D + i * D + j] = v;
      }
    }
  }
  return { full, weights: w.map((v) => v / s), means, cov };
}

/** The CPU path: per-row log-likelihoods, responsibilities, their weighted sum and the statistics (float64). */
export function cpuIteration(x: Float64Array, n: number, D: number, p: GmmParams): { rowLogLik: Float64Array; resp: Float64Array; logLik: number; stats: GmmStats } {
  const K = p.weights.length;
  const rows = { x, dims: D, count: n };
  const out = new Float64Array(n * K);
  const c = new Float64Array(K);
  if (p.full) {
    const m = new Float64Array(K * D * D);
    const b = new Float64Array(K * D);
    for (let k = 0; k < K; k++) {
      const l = chol(p.cov.subarray(k * D * D, (k + 1) * D * D), D);
      const inv = invLower(l, D);
      m.set(inv, k * D * D);
      let hl = 0;
      for (let a = 0; a < D; a++) {
        hl += Math.log(l[a * D + a]!);
        let s = 0;
        for (let j = 0; j <= a; j++) s += inv[a * D + j]! * p.means[k * D + j]!;
        b[k * D + a] = s;
      }
      c[k] = Math.log(p.weights[k]!) - 0.5 * D * Math.log(2 * Math.PI) - hl;
    }
    if (!gaussianKernels.fullLogDensity(rows, K, m, b, c, out)) throw new Error('wasm kernels declined');
  } else {
    const prec = p.cov.map((v) => 1 / v);
    for (let k = 0; k < K; k++) {
      let hl = 0;
      for (let d = 0; d < D; d++) hl += 0.5 * Math.log(p.cov[k * D + d]!);
      c[k] = Math.log(p.weights[k]!) - 0.5 * D * Math.log(2 * Math.PI) - hl;
    }
    if (!gaussianKernels.diagLogDensity(rows, K, p.means, prec, c, out)) throw new Error('wasm kernels declined');
  }
  const rowLogLik = new Float64Array(n);
  const resp = new Float64Array(n * K);
  let logLik = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, out[i * K + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(out[i * K + k]! - m);
    const l = m + Math.log(s);
    rowLogLik[i] = l;
    logLik += l;
    for (let k = 0; k < K; k++) resp[i * K + k] = Math.exp(out[i * K + k]! - l);
  }
  const st = gaussianKernels.stats(rows, resp, K, p.full);
  if (!st) throw new Error('wasm stats declined');
  return { rowLogLik, resp, logLik, stats: { nk: st.nk, mean: st.mean, scatter: st.scatter } };
}

function chol(a: Float64Array, D: number): Float64Array {
  const l = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * D + j]!;
      for (let k = 0; k < j; k++) s -= l[i * D + k]! * l[j * D + k]!;
      l[i * D + j] = i === j ? Math.sqrt(s) : s / l[j * D + j]!;
    }
  return l;
}

/** Inverse of lower-triangular l by solving l m = I column by column (forward substitution). */
function invLower(l: Float64Array, D: number): Float64Array {
  const m = new Float64Array(D * D);
  for (let c = 0; c < D; c++)
    for (let i = 0; i < D; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * D + k]! * m[k * D + c]!;
      m[i * D + c] = s / l[i * D + i]!;
    }
  return m;
}
