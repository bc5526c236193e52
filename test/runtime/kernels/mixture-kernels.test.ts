// The mixing-node kernels (wasm SIMD log-sum-exp and responsibilities) against plain loops
// written out here, on random widths and row counts with -inf entries, NaN, all -inf rows,
// zero weights, rows without flow and row weights.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mixtureBackward, mixtureForward } from '../../../runtime/kernels/mixture-kernels.js';
import { Rng } from '../../../stdlib/random.js';

interface Case {
  n: number;
  A: number;
  vals: Float64Array;
  w: Float64Array;
}

function makeCase(seed: number, n: number, A: number): Case {
  const rng = new Rng(seed);
  const scale = 1 + 300 * rng.uniform() ** 2;
  const vals = Float64Array.from({ length: n * A }, () => {
    const u = rng.uniform();
    return u < 0.05 ? -Infinity : u < 0.06 ? NaN : scale * (rng.uniform() - 0.7);
  });
  for (let i = 0; i < n; i++) if (rng.uniform() < 0.05) vals.fill(-Infinity, i * A, (i + 1) * A);
  const w = Float64Array.from({ length: A }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform()));
  const tot = w.reduce((a, b) => a + b, 0) || 1;
  return { n, A, vals, w: w.map((v) => v / tot) };
}

function forwardRef({ n, A, vals, w }: Case): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let a = 0; a < A; a++) if (Math.log(w[a]!) + vals[i * A + a]! > m) m = Math.log(w[a]!) + vals[i * A + a]!;
    if (m === -Infinity || Number.isNaN(m)) {
      out[i] = m;
      continue;
    }
    let s = 0;
    for (let a = 0; a < A; a++) s += Math.exp(Math.log(w[a]!) + vals[i * A + a]! - m);
    out[i] = m + Math.log(s);
  }
  return out;
}

/** Equal, both NaN, or within rel (absolute below 1). */
function close(got: ArrayLike<number>, want: ArrayLike<number>, rel: number): boolean {
  for (let i = 0; i < want.length; i++) {
    const [g, x] = [got[i]!, want[i]!];
    if (g === x || (Number.isNaN(g) && Number.isNaN(x))) continue;
    if (!(Math.abs(g - x) <= rel * Math.max(1, Math.abs(x)))) return false;
  }
  return true;
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 1e9 }),
  n: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 500, max: 1300 })),
  A: fc.integer({ min: 1, max: 40 }),
});

describe('mixing-node kernels', () => {
  it('log-sum-exp rows agree with the reference loop to 1e-12', () => {
    fc.assert(
      fc.property(arb, ({ seed, n, A }) => {
        const c = makeCase(seed, n, A);
        const got = new Float64Array(n);
        expect(mixtureForward(c.vals, n, A, c.w, got)).toBe(true);
        expect(close(got, forwardRef(c), 1e-12)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('responsibilities and edge counts agree with the reference loop to 1e-12', () => {
    fc.assert(
      fc.property(arb, fc.boolean(), fc.boolean(), fc.boolean(), ({ seed, n, A }, fresh, weighted, afterForward) => {
        const c = makeCase(seed, n, A);
        const rng = new Rng(seed + 1);
        // Right after the forward over the same values it scales the kept exps; else it takes them anew.
        const o = forwardRef(c);
        if (afterForward) expect(mixtureForward(c.vals, n, A, c.w, o)).toBe(true);
        const flow = Float64Array.from({ length: n }, (_, i) => (rng.uniform() > 0.1 ? rng.uniform() : 0));
        const rw = weighted ? Float64Array.from({ length: n }, () => rng.uniform() * 3) : undefined;
        const start = fresh ? new Float64Array(n * A) : Float64Array.from({ length: n * A }, () => rng.uniform());
        const kid = start.slice();
        const counts = Float64Array.from({ length: A }, () => rng.uniform());
        const wantKid = start.slice();
        const wantCounts = counts.slice();
        for (let i = 0; i < n; i++) {
          if (flow[i] === 0) continue;
          for (let a = 0; a < A; a++) {
            if (c.w[a] === 0) continue;
            const e = flow[i]! * Math.exp(Math.log(c.w[a]!) + c.vals[i * A + a]! - o[i]!);
            if (!(e > 0)) continue;
            wantKid[i * A + a] += e;
            wantCounts[a] += (rw ? rw[i]! : 1) * e;
          }
        }
        expect(mixtureBackward(c.vals, n, A, c.w, o, flow, rw, kid, fresh, counts)).toBe(true);
        expect(close(kid, wantKid, 1e-12)).toBe(true);
        expect(close(counts, wantCounts, 1e-12)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
