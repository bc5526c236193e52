// Test-side mixture-of-experts sampler and reference computations, written independently of
// families/moe (plain arrays, textbook formulas).
import { Rng } from '../../stdlib/random.js';

export interface TrueMoe {
  /** softmax gate rows [slope, intercept] per expert (1-D input), or Gaussian gate (pi, mean, sd) */
  readonly gate: { readonly kind: 'softmax'; readonly w: readonly (readonly [number, number])[] } | { readonly kind: 'gaussian'; readonly pi: readonly number[]; readonly mean: readonly number[]; readonly sd: readonly number[] };
  /** per expert: [slope, intercept, sd] */
  readonly experts: readonly (readonly [number, number, number])[];
}

export function gateProbs(t: TrueMoe, x: number): number[] {
  if (t.gate.kind === 'softmax') {
    const eta = t.gate.w.map(([a, b]) => a * x + b);
    const m = Math.max(...eta);
    const e = eta.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }
  const g = t.gate;
  const p = g.pi.map((pi, k) => (pi * Math.exp(-0.5 * ((x - g.mean[k]!) / g.sd[k]!) ** 2)) / g.sd[k]!);
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / s);
}

export function trueCondLogDensity(t: TrueMoe, x: number, y: number): number {
  const g = gateProbs(t, x);
  let s = 0;
  t.experts.forEach(([a, b, sd], k) => (s += (g[k]! * Math.exp(-0.5 * ((y - a * x - b) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI))));
  return Math.log(s);
}

export function sampleMoe(t: TrueMoe, n: number, seed: number): { x: number; y: number }[] {
  const rng = new Rng(seed);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) {
    let x: number;
    if (t.gate.kind === 'gaussian') {
      const k = rng.categorical([...t.gate.pi]);
      x = t.gate.mean[k]! + t.gate.sd[k]! * rng.normal();
    } else x = -3 + 6 * rng.uniform();
    const k = rng.categorical(gateProbs(t, x));
    const [a, b, sd] = t.experts[k]!;
    out.push({ x, y: a * x + b + sd * rng.normal() });
  }
  return out;
}

/** Solves the dense system A z = b by Gaussian elimination with partial pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k] -= f * M[c]![k]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * z[k]!;
    z[r] = s / M[r]![r]!;
  }
  return z;
}

/** OLS of y on [x..., 1] (rows with y NaN skipped): coefficients (intercept last) and RSS / n. */
export function ols(X: number[][], y: number[]): { beta: number[]; sigma2: number } {
  const rows = X.map((x, i) => ({ x: [...x, 1], y: y[i]! })).filter((r) => !Number.isNaN(r.y));
  const m = rows[0]!.x.length;
  const A = Array.from({ length: m }, (_, a) => Array.from({ length: m }, (_, b) => rows.reduce((s, r) => s + r.x[a]! * r.x[b]!, 0)));
  const b = Array.from({ length: m }, (_, a) => rows.reduce((s, r) => s + r.x[a]! * r.y, 0));
  const beta = solve(A, b);
  const rss = rows.reduce((s, r) => s + (r.y - r.x.reduce((t, v, j) => t + v * beta[j]!, 0)) ** 2, 0);
  return { beta, sigma2: rss / rows.length };
}
