// The exact GP's log marginal likelihood against an independent naive computation (kernel
// formulas written out per pair, Gaussian elimination) for every kernel, and its analytic
// gradient against central finite differences.
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { base, gpState, lcg, naiveLml, type ParamInit } from './helpers.js';

type K = (a: number[], b: number[], same: boolean) => number;
const sq = (a: number[], b: number[], ls: number[]): number => a.reduce((s, v, d) => s + ((v - b[d]!) / (ls[d] ?? ls[0]!)) ** 2, 0);

interface Case {
  readonly name: string;
  readonly dims: number;
  readonly kernel: KernelExpr;
  readonly params: Record<string, ParamInit>;
  readonly naive: K;
}

const S = 1.7; // the outer scale of every case
const scaled = (k: KernelExpr): KernelExpr => ({ op: 'scale', factor: 's', kernel: k });
const CASES: Case[] = [
  { name: 'rbf', dims: 1, kernel: scaled(base('rbf', { ls: 'ls' })), params: { ls: { value: [0.8] } }, naive: (a, b) => S * Math.exp(-0.5 * sq(a, b, [0.8])) },
  { name: 'rbf ARD', dims: 2, kernel: scaled(base('rbf', { ls: 'ls' })), params: { ls: { value: [0.7, 1.9] } }, naive: (a, b) => S * Math.exp(-0.5 * sq(a, b, [0.7, 1.9])) },
  { name: 'matern12', dims: 2, kernel: scaled(base('matern12', { ls: 'ls' })), params: { ls: { value: [0.9, 1.4] } }, naive: (a, b) => S * Math.exp(-Math.sqrt(sq(a, b, [0.9, 1.4]))) },
  {
    name: 'matern32', dims: 1, kernel: scaled(base('matern32', { ls: 'ls' })), params: { ls: { value: [0.6] } },
    naive: (a, b) => { const r = Math.sqrt(3 * sq(a, b, [0.6])); return S * (1 + r) * Math.exp(-r); },
  },
  {
    name: 'matern52', dims: 2, kernel: scaled(base('matern52', { ls: 'ls' })), params: { ls: { value: [0.6, 1.2] } },
    naive: (a, b) => { const s = sq(a, b, [0.6, 1.2]); const r = Math.sqrt(5 * s); return S * (1 + r + (5 / 3) * s) * Math.exp(-r); },
  },
  { name: 'rq', dims: 1, kernel: scaled(base('rq', { ls: 'ls', alpha: 'al' })), params: { ls: { value: [0.7] }, al: { value: [1.6] } }, naive: (a, b) => S * Math.pow(1 + sq(a, b, [0.7]) / (2 * 1.6), -1.6) },
  {
    name: 'periodic', dims: 1, kernel: scaled(base('periodic', { period: 'p', ls: 'ls' })), params: { p: { value: [1.3] }, ls: { value: [0.9] } },
    naive: (a, b) => S * Math.exp((-2 * Math.sin((Math.PI * Math.abs(a[0]! - b[0]!)) / 1.3) ** 2) / 0.81),
  },
  { name: 'linear', dims: 2, kernel: base('linear', { variance: 'v' }), params: { v: { value: [0.5, 1.3] } }, naive: (a, b) => 0.5 * a[0]! * b[0]! + 1.3 * a[1]! * b[1]! },
  {
    name: 'polynomial', dims: 1, kernel: scaled(base('polynomial', { offset: 'c' }, { degree: 3 })), params: { c: { value: [0.8] } },
    naive: (a, b) => S * (a[0]! * b[0]! + 0.8) ** 3,
  },
  {
    name: 'white + rbf', dims: 1, kernel: { op: 'sum', terms: [scaled(base('rbf', { ls: 'ls' })), base('white', { noise: 'w' })] }, params: { ls: { value: [1.1] }, w: { value: [0.3] } },
    naive: (a, b, same) => S * Math.exp(-0.5 * sq(a, b, [1.1])) + (same ? 0.3 : 0),
  },
  {
    name: 'constant + rbf', dims: 1, kernel: { op: 'sum', terms: [base('constant', { value: 'c' }), scaled(base('rbf', { ls: 'ls' }))] }, params: { c: { value: [0.6] }, ls: { value: [1.1] } },
    naive: (a, b) => 0.6 + S * Math.exp(-0.5 * sq(a, b, [1.1])),
  },
  {
    name: 'spectral_mixture(q = 2)', dims: 1, kernel: base('spectral_mixture', { weights: 'w', means: 'mu', variances: 'v' }, { q: 2 }),
    params: { w: { value: [0.8, 0.5] }, mu: { value: [0.3, 0.9], shape: [2, 1] }, v: { value: [0.2, 0.05], shape: [2, 1] } },
    naive: (a, b) => {
      const t = a[0]! - b[0]!;
      return 0.8 * Math.exp(-2 * Math.PI ** 2 * t * t * 0.2) * Math.cos(2 * Math.PI * t * 0.3) + 0.5 * Math.exp(-2 * Math.PI ** 2 * t * t * 0.05) * Math.cos(2 * Math.PI * t * 0.9);
    },
  },
  {
    name: 'rbf * periodic + rq (CO2-like)', dims: 1,
    kernel: { op: 'sum', terms: [scaled({ op: 'product', terms: [base('rbf', { ls: 'ls' }), base('periodic', { period: 'p', ls: 'pl' })] }), base('rq', { ls: 'ls2', alpha: 'al' })] },
    params: { ls: { value: [2.5] }, p: { value: [1.0] }, pl: { value: [1.2] }, ls2: { value: [0.5] }, al: { value: [0.8] } },
    naive: (a, b) => {
      const d = Math.abs(a[0]! - b[0]!);
      return S * Math.exp(-0.5 * (d / 2.5) ** 2) * Math.exp((-2 * Math.sin(Math.PI * d) ** 2) / 1.44) + Math.pow(1 + (d / 0.5) ** 2 / 1.6, -0.8);
    },
  },
];

function data(dims: number, n: number, seed: number): { xs: number[][]; y: number[]; d: GPData } {
  const u = lcg(seed);
  const xs = Array.from({ length: n }, () => Array.from({ length: dims }, () => 4 * u() - 2));
  const y = xs.map((x) => Math.sin(2 * x[0]!) + (x[1] ?? 0) * 0.5 + 0.3 * (u() - 0.5));
  const d: GPData = { x: Float64Array.from(xs.flat()), y: Float64Array.from(y), n, stride: dims, task: new Int32Array(n), dropped: 0 };
  return { xs, y, d };
}

describe('exact GP log marginal likelihood', () => {
  for (const c of CASES) {
    it(`${c.name}: equals a naive float64 computation to 1e-9 relative`, () => {
      const { core } = gpState(c.kernel, { s: { value: [S] }, ...c.params }, { inputs: c.dims, noise: 0.05 });
      const { xs, y, d } = data(c.dims, 40, 11);
      const got = exactLml(core, d, false);
      expect(got.jitter).toBe(0);
      const want = naiveLml(c.naive, xs, y, 0.05);
      expect(Math.abs(got.lml - want) / Math.abs(want)).toBeLessThan(1e-9);
    });

    it(`${c.name}: analytic gradient equals central finite differences to 1e-5`, () => {
      const { state, core } = gpState(c.kernel, { s: { value: [S] }, ...c.params }, { inputs: c.dims, noise: 0.05, mean: { kind: 'constant', c: 'm' } });
      // A constant mean too, so its gradient is checked.
      void state;
      const { d } = data(c.dims, 30, 5);
      const { grad } = exactLml(core, d, true);
      for (const h of core.free) {
        const v = core.value(h.name);
        for (let i = 0; i < h.size; i++) {
          const x0 = v[i]!;
          const step = 1e-6 * Math.max(Math.abs(x0), 1e-3);
          v[i] = x0 + step;
          const up = exactLml(core, d, false).lml;
          v[i] = x0 - step;
          const down = exactLml(core, d, false).lml;
          v[i] = x0;
          const fd = (up - down) / (2 * step);
          const g = grad!.get(h.name)![i]!;
          expect(Math.abs(g - fd), `${h.name}[${i}]: analytic ${g}, finite difference ${fd}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
        }
      }
    });
  }
});
