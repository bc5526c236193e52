// The blocked Cholesky (wasm SIMD on one and two threads, and JS paths, several block sizes),
// the triangular solves and the log-determinant against the textbook references to 1e-10
// relative, on random SPD matrices of odd sizes; a matrix that is not positive definite
// reports the same pivot as the reference; worker threads never keep the process alive.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cholesky, choleskyStats, logDetChol, solveLower, solveLowerT, warmCholeskyThreads } from '../../../runtime/kernels/cholesky.js';
import { setJoinWait } from '../../../runtime/kernels/cholesky-engine.js';
import { choleskyRef, solveLowerRef, solveLowerTRef } from '../../../runtime/kernels/cholesky-ref.js';
import { Rng } from '../../../stdlib/random.js';

/** G G^T / m + shift * I with G n x m standard normal (m < n makes it near-singular unless shift > 0). */
function spd(n: number, m: number, shift: number, rng: Rng): Float64Array {
  const g = Float64Array.from({ length: n * m }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < m; k++) s += (g[i * m + k]! * g[j * m + k]!) / m;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

const relErr = (got: Float64Array, want: Float64Array): number => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return num / Math.max(den, 1e-300);
};

const odd = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((h) => 2 * h + 1);
const arb = fc.record({
  seed: fc.integer({ min: 0, max: 1e9 }),
  n: odd(0, 90),
  block: fc.constantFrom(2, 8, 16, 64),
  wasm: fc.boolean(),
  threads: fc.constantFrom(1, 2),
  k: fc.integer({ min: 1, max: 11 }),
});

/** Factor, log-determinant and both solves against the references, to 1e-10 relative. */
function agrees(seed: number, n: number, block: number, wasm: boolean, threads: number, k: number): void {
  const rng = new Rng(seed);
  const a = spd(n, n + 3, 0.1, rng);
  const want = a.slice();
  expect(choleskyRef(want, n).ok).toBe(true);
  const got = a.slice();
  expect(cholesky(got, n, { block, wasm, threads })).toEqual({ ok: true, pivot: -1 });
  expect(relErr(got, want)).toBeLessThan(1e-10);
  expect(Math.abs(logDetChol(got, n) - logDetChol(want, n))).toBeLessThan(1e-10 * Math.max(1, Math.abs(logDetChol(want, n))));
  const b = Float64Array.from({ length: n * k }, () => rng.normal());
  const x = b.slice();
  const xr = b.slice();
  solveLower(got, n, x, k, { wasm, threads });
  solveLowerRef(want, n, xr, k);
  expect(relErr(x, xr)).toBeLessThan(1e-10);
  solveLowerT(got, n, x, k, { wasm, threads });
  solveLowerTRef(want, n, xr, k);
  expect(relErr(x, xr)).toBeLessThan(1e-10);
}

describe('blocked Cholesky', () => {
  let workers = 0;
  beforeAll(async () => {
    workers = await warmCholeskyThreads(2);
    setJoinWait(2000); // make threaded calls wait for the worker, so the two-thread path runs
  });
  afterAll(() => setJoinWait(0));

  it('factor, solves and log-determinant agree with the references to 1e-10 relative', () => {
    fc.assert(
      fc.property(arb, ({ seed, n, block, wasm, threads, k }) => agrees(seed, n, block, wasm, threads, k)),
      { numRuns: 120 },
    );
  });

  it('on two threads too, over many panels (larger odd sizes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), odd(130, 200), fc.constantFrom(8, 16, 64), fc.integer({ min: 5, max: 16 }), (seed, n, block, k) => {
        agrees(seed, n, block, true, 2, k);
        if (workers > 0) expect(choleskyStats().threads).toBe(2); // the last solve (k > 4) shared its columns
      }),
      { numRuns: 12 },
    );
    if (workers > 0) {
      const n = 263;
      const a = spd(n, n, 0.5, new Rng(1));
      cholesky(a, n, { block: 16, threads: 2 });
      expect(choleskyStats().threads).toBe(2);
    }
  });

  it('one thread when asked for one, and the same factor as with two', () => {
    const n = 201;
    const a = spd(n, n, 0.5, new Rng(2));
    const one = a.slice();
    const two = a.slice();
    cholesky(one, n, { block: 16, threads: 1 });
    expect(choleskyStats().threads).toBe(1);
    cholesky(two, n, { block: 16, threads: 2 });
    expect(relErr(two, one)).toBeLessThan(1e-12);
  });

  it('solves A x = b: L L^T x reproduces b', () => {
    const rng = new Rng(4);
    const n = 200;
    const a = spd(n, n, 1, rng);
    const l = a.slice();
    cholesky(l, n);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = b.slice();
    solveLower(l, n, x, 1);
    solveLowerT(l, n, x, 1);
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j]!;
      err = Math.max(err, Math.abs(s - b[i]!));
    }
    expect(err).toBeLessThan(1e-9);
  });

  it('reports the failing pivot of a matrix that is not positive definite', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 3, max: 120 }), fc.boolean(), fc.constantFrom(1, 2), (seed, n, wasm, threads) => {
        const rng = new Rng(seed);
        const a = spd(n, n, 0.5, rng);
        const bad = rng.int(n);
        a[bad * n + bad] = -1; // a negative diagonal entry: not positive definite
        const want = choleskyRef(a.slice(), n);
        const got = cholesky(a.slice(), n, { block: 8, wasm, threads });
        expect(want.ok).toBe(false);
        expect(got).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('reports pivot 0 for a NaN matrix instead of throwing', () => {
    expect(cholesky(Float64Array.of(NaN, 0, 0, 1), 2)).toEqual({ ok: false, pivot: 0 });
  });

  // The worker pool is unref'ed: a process that factored on two threads exits by itself.
  const built = new URL('../../../dist/runtime/kernels/cholesky.js', import.meta.url);
  it.skipIf(!existsSync(built))('worker threads do not keep the process alive (built dist/)', () => {
    const code = `const m = await import(${JSON.stringify(built.href)}); await m.warmCholeskyThreads(2); const n = 300; const a = new Float64Array(n * n); for (let i = 0; i < n; i++) a[i * n + i] = 2; console.log(JSON.stringify(m.cholesky(a, n, { threads: 2 })));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('{"ok":true,"pivot":-1}');
  });
});
