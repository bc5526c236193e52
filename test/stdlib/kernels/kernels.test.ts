// Every registered kernel: values on a block of pairs equal the paired (diagonal) evaluation
// and are symmetric, the Gram matrix is positive semi-definite, and the analytic gradient of
// sum_p w_p k(pair p) equals central finite differences, for one and for two input columns.
import { describe, expect, it } from 'vitest';
import { cholesky } from '../../../runtime/kernels/cholesky.js';
import { KernelEvaluator, kernels, Pairs, type BaseKernel, type KernelContext } from '../../../stdlib/kernels/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function setup(k: BaseKernel, dims: number): { ctx: KernelContext; params: Float64Array[] } {
  const options: Record<string, number> = {};
  for (const o of k.options ?? []) options[o.name] = o.name === 'tasks' ? 3 : o.name === 'q' ? 2 : o.name === 'degree' ? 3 : o.default;
  const ctx: KernelContext = { dims: k.name === 'coregion' ? 1 : dims, options };
  const u = lcg(3);
  const params = k.params.map((s) => {
    const n = s.shape(ctx).reduce((a, b) => a * b, 1) || 1;
    const size = s.ard ? ctx.dims : n;
    return Float64Array.from({ length: size }, () => (s.positive ? 0.4 + u() : u() - 0.3));
  });
  return { ctx, params };
}

function points(n: number, d: number, coregion: boolean): Float64Array {
  const u = lcg(9);
  return Float64Array.from({ length: n * d }, () => (coregion ? Math.floor(3 * u()) : 3 * u() - 1.5));
}

describe('kernel registry', () => {
  it('has every kernel of the language', () => {
    expect([...kernels.keys()].sort()).toEqual(['coregion', 'constant', 'linear', 'matern12', 'matern32', 'matern52', 'periodic', 'polynomial', 'rbf', 'rq', 'spectral_mixture', 'white'].sort());
  });

  for (const k of kernels.values()) {
    for (const dims of k.name === 'coregion' ? [1] : [1, 2]) {
      it(`${k.name} (${dims} input${dims > 1 ? 's' : ''}): symmetric, PSD, diagonal consistent, gradient = finite differences`, () => {
        const { ctx, params } = setup(k, dims);
        const n = 12;
        const x = points(n, dims, k.name === 'coregion');
        const cols = Array.from({ length: dims }, (_, i) => i);
        const block = new Pairs(x, x, dims, cols, false, 0, n, n, true);
        const K = new Float64Array(n * n);
        k.value(params, ctx, block, K);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(K[i * n + j]).toBeCloseTo(K[j * n + i]!, 12);
        const diag = new Float64Array(n);
        k.value(params, ctx, new Pairs(x, x, dims, cols, true, 0, n, n, true), diag);
        for (let i = 0; i < n; i++) expect(diag[i]).toBeCloseTo(K[i * n + i]!, 12);
        const A = Float64Array.from(K);
        for (let i = 0; i < n; i++) A[i * n + i] += 1e-8 * (1 + Math.abs(K[i * n + i]!));
        expect(cholesky(A, n).ok).toBe(true);
        // Gradient of sum_p w_p k_p.
        const u = lcg(5);
        const w = Float64Array.from({ length: n * n }, () => u() - 0.5);
        const g = params.map((p) => new Float64Array(p.length));
        k.grad(params, ctx, block, w, K, g);
        const f = (): number => {
          const out = new Float64Array(n * n);
          k.value(params, ctx, new Pairs(x, x, dims, cols, false, 0, n, n, true), out);
          return out.reduce((s, v, i) => s + v * w[i]!, 0);
        };
        params.forEach((p, a) => {
          for (let e = 0; e < p.length; e++) {
            const x0 = p[e]!;
            const h = 1e-6 * Math.max(1, Math.abs(x0));
            p[e] = x0 + h;
            const up = f();
            p[e] = x0 - h;
            const down = f();
            p[e] = x0;
            const fd = (up - down) / (2 * h);
            expect(Math.abs(g[a]![e]! - fd), `${k.params[a]!.name}[${e}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
          }
        });
      });
    }
  }
});

// Input gradients (gradX, what learning a sparse GP's inducing inputs needs): the gradient of
// sum_p w_p k(pair p) with respect to every coordinate of both point sets equals central
// finite differences, on a block of rows (offsets), on paired rows, and through a column
// selection of a wider input matrix.
describe('kernel input gradients', () => {
  for (const k of kernels.values()) {
    if (k.name === 'coregion') continue;
    for (const dims of [1, 2]) {
      it(`${k.name} (${dims} input${dims > 1 ? 's' : ''}): gradX = finite differences`, () => {
        const { ctx, params } = setup(k, dims);
        const stride = dims + 1;
        // The kernel sees columns [dims, ..., 1] of a stride-(dims + 1) matrix: column 0 is ignored.
        const cols = Array.from({ length: dims }, (_, i) => dims - i);
        const n1 = 7;
        const n2 = 5;
        const x1 = points(n1, stride, false);
        const x2 = Float64Array.from(points(n2 + 3, stride, false).subarray(3 * stride));
        const u = lcg(17);
        for (const paired of [false, true]) {
          const r0 = 2;
          const r1 = paired ? n2 : 6;
          const mk = (): Pairs => new Pairs(x1, x2, stride, cols, paired, r0, r1, n2, false);
          const len = mk().length;
          const w = Float64Array.from({ length: len }, () => u() - 0.5);
          const kv = new Float64Array(len);
          k.value(params, ctx, mk(), kv);
          const g1 = new Float64Array(n1 * stride);
          const g2 = new Float64Array(n2 * stride);
          if (!k.gradX) {
            // No input dependence: every coordinate's finite difference is 0.
            expect(['white', 'constant']).toContain(k.name);
          } else k.gradX(params, ctx, mk(), w, kv, g1, g2);
          const f = (): number => {
            const out = new Float64Array(len);
            k.value(params, ctx, mk(), out);
            return out.reduce((s, v, i) => s + v * w[i]!, 0);
          };
          for (const [x, g, name] of [[x1, g1, 'x1'], [x2, g2, 'x2']] as const) {
            for (let e = 0; e < x.length; e++) {
              const x0 = x[e]!;
              const h = 1e-6 * Math.max(1, Math.abs(x0));
              x[e] = x0 + h;
              const up = f();
              x[e] = x0 - h;
              const down = f();
              x[e] = x0;
              const fd = (up - down) / (2 * h);
              expect(Math.abs(g[e]! - fd), `${paired ? 'paired' : 'block'} ${name}[${e}]: analytic ${g[e]}, fd ${fd}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
            }
          }
        }
      });
    }
  }

  it('through a kernel expression (sum, product, scale): KernelEvaluator.gradX = finite differences', () => {
    const vals: Record<string, Float64Array> = { s: Float64Array.of(1.7), ls: Float64Array.of(0.8, 1.3), p: Float64Array.of(1.9), pl: Float64Array.of(0.7), v: Float64Array.of(0.3), wn: Float64Array.of(0.2) };
    const ev = new KernelEvaluator(
      {
        op: 'sum',
        terms: [
          { op: 'scale', factor: 's', kernel: { op: 'product', terms: [{ op: 'base', name: 'matern52', params: { ls: 'ls' } }, { op: 'base', name: 'periodic', params: { period: 'p', ls: 'pl' }, dims: [1] }] } },
          { op: 'base', name: 'linear', params: { variance: 'v' } },
          { op: 'base', name: 'white', params: { noise: 'wn' } },
        ],
      },
      2,
      (n) => vals[n]!,
    );
    const z = points(6, 2, false);
    const x = Float64Array.from(points(10, 2, false).subarray(12));
    const u = lcg(23);
    const w = Float64Array.from({ length: 4 * 6 }, () => u() - 0.5);
    const wz = Float64Array.from({ length: 36 }, () => u() - 0.5);
    const f = (): number => {
      const a = new Float64Array(24);
      ev.value(ev.pairs(x, z, 0, 4, 6), a);
      const b = new Float64Array(36);
      ev.value(ev.pairs(z, z, 0, 6, 6, { same: true }), b);
      return a.reduce((s, v, i) => s + v * w[i]!, 0) + b.reduce((s, v, i) => s + v * wz[i]!, 0);
    };
    const gz = new Float64Array(12);
    const gx = new Float64Array(8);
    ev.gradX(ev.pairs(x, z, 0, 4, 6), w, gx, gz);
    ev.gradX(ev.pairs(z, z, 0, 6, 6, { same: true }), wz, gz, gz);
    for (const [pts, g] of [[z, gz], [x, gx]] as const) {
      for (let e = 0; e < pts.length; e++) {
        const x0 = pts[e]!;
        const h = 1e-6;
        pts[e] = x0 + h;
        const up = f();
        pts[e] = x0 - h;
        const down = f();
        pts[e] = x0;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(g[e]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
