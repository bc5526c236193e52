// The allocation-free transforms of the nets' outputs (latent-transforms.ts) against latent-fn.ts's
// toNatural / chainToFree (the reference): the simplex with the wasm exp or softmax kernel within 1e-14
// relative (the same sums, exps a few ulp apart), without a kernel or for the other kinds exactly
// equal; runs far below their max (past the kernel's range), -Infinity and NaN entries as the
// reference has them; a declining kernel leaves the values to the JS loops.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chainToFree, toNatural } from '../../circuits/integral/latent-fn.js';
import { chainToFreeInto, toNaturalInPlace } from '../../circuits/integral/latent-transforms.js';
import { expInPlaceWasm, softmaxInPlaceWasm } from '../../runtime/kernels/exp-wasm.js';

type Kind = 'identity' | 'positive' | 'unit' | 'simplex';

function close(got: Float64Array, want: Float64Array, tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(g === w || Math.abs(g - w) <= tol * Math.abs(w))) expect.fail(`${what}[${i}]: ${g} vs ${w}`);
  }
}

const cases = fc
  .record({ kind: fc.constantFrom<Kind>('identity', 'positive', 'unit', 'simplex'), last: fc.integer({ min: 1, max: 9 }), runs: fc.integer({ min: 0, max: 12 }), spread: fc.constantFrom(1, 30, 800) })
  .chain((c) => fc.record({ c: fc.constant(c), u: fc.array(fc.double({ min: -c.spread, max: c.spread, noNaN: true }), { minLength: c.last * c.runs, maxLength: c.last * c.runs }), gv: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: c.last * c.runs, maxLength: c.last * c.runs }) }));

describe('toNaturalInPlace and chainToFreeInto agree with the reference transforms', () => {
  it('with the wasm exp: 1e-14 relative (simplex), equal (other kinds); chainToFreeInto equal', () => {
    fc.assert(
      fc.property(cases, ({ c, u, gv }) => {
        const uu = Float64Array.from(u);
        const want = toNatural(c.kind, uu, c.last);
        const got = Float64Array.from(uu);
        toNaturalInPlace(c.kind, got, got.length, c.last, expInPlaceWasm);
        close(got, want, c.kind === 'simplex' ? 1e-14 : 0, c.kind);
        // With the wasm softmax too (it declines odd runs and out-of-range ones: the exp path then).
        const got2 = Float64Array.from(uu);
        toNaturalInPlace(c.kind, got2, got2.length, c.last, expInPlaceWasm, softmaxInPlaceWasm);
        close(got2, want, c.kind === 'simplex' ? 1e-14 : 0, `${c.kind} (softmax kernel)`);
        const g = Float64Array.from(gv);
        const out = new Float64Array(g.length).fill(7); // stale values: every entry must be written
        chainToFreeInto(c.kind, want, g, g.length, c.last, out);
        const ref = chainToFree(c.kind, want, g, c.last);
        close(out, ref, 0, `d ${c.kind}`);
        // Strided into a wider buffer (a column of the batched output layer): those entries only.
        const wide = new Float64Array(3 * g.length + 1).fill(7);
        chainToFreeInto(c.kind, want, g, g.length, c.last, wide, 3, 1);
        close(wide.filter((_, i) => i % 3 === 1 && i < 3 * g.length), ref, 0, `strided d ${c.kind}`);
        expect(wide.filter((_, i) => i % 3 !== 1 || i >= 3 * g.length).every((a) => a === 7)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('without a kernel, or with one that declines, the simplex is the reference bit for bit', () => {
    fc.assert(
      fc.property(cases, ({ c, u }) => {
        const uu = Float64Array.from(u);
        const want = toNatural('simplex', uu, c.last);
        for (const exp of [undefined, () => false]) {
          const got = Float64Array.from(uu);
          toNaturalInPlace('simplex', got, got.length, c.last, exp);
          close(got, want, 0, 'simplex');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a prefix only (n < length), far-below entries, -Infinity and NaN as the reference', () => {
    const u = Float64Array.of(0, -720, -1e4, 3, -Infinity, 2, NaN, 1, 5, 6, 7, 8);
    const want = toNatural('simplex', u.subarray(0, 8), 2);
    const got = Float64Array.from(u);
    toNaturalInPlace('simplex', got, 8, 2, expInPlaceWasm);
    close(got.subarray(0, 8), want, 1e-14, 'simplex');
    expect([...got.subarray(8)]).toEqual([5, 6, 7, 8]);
    // exp(-720) is a subnormal Math.exp gets and the kernel's range does not: redone with Math.exp.
    expect(got[1]).toBe(Math.exp(-720) / (1 + Math.exp(-720)));
    expect(got[1]).toBeGreaterThan(0);
  });
});
