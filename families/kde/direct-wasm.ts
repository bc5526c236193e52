// The gaussian direct sum in blocks, in WebAssembly SIMD (f64x2): for each block of 2048
// training rows (copied transposed once) and 16 queries at a time, sqdist writes the log
// terms t = -|z_q - z_i|^2 / 2, the runtime's log-sum-exp kernel (runtime/kernels/
// mixture-wasm.ts, exp within 1 ulp of Math.exp) returns each query's block max and sum of
// exp(t + log w - max), and JS merges the blocks into a running (max, sum) per query. The
// kernel takes a term under e^-40 of its block's largest as 0: with 2048 terms a block, that
// is under 2048 e^-40 < 1e-14 of the block's sum, so of the total too.
import { mixtureWasm, type MixtureWasm } from '../../runtime/kernels/mixture-wasm.js';
import { add, buildModule, f64x2, f64x2Op as V, get, I32, i32, loop, mul, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from '../../runtime/kernels/wasm-asm.js';
import { wasmHeap } from '../../runtime/kernels/wasm-heap.js';
import type { Plan } from './plan.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const at = (base: number, idx: Bytes): Bytes => add(get(base), mul(idx, i32(8)));

// sqdist(zt, q, out, rows, ap, k): out[r, a] = -|q_r - z_a|^2 / 2 for a block of rows stored
// transposed (zt[b, a], row width ap, a multiple of 4), four rows of the block at a time.
function sqdist(): Bytes {
  const [zt, q, out, rows, ap, k, r, a, b, qrow, orow, col] = Array.from({ length: 12 }, (_, i) => i);
  const [acc, acc2, diff, qb] = [12, 13, 14, 15];
  return loop(r, i32(0), get(rows), 1,
    set(qrow, at(q, mul(get(r), get(k)))),
    set(orow, at(out, mul(get(r), get(ap)))),
    loop(a, i32(0), get(ap), 4,
      set(acc, f64x2(0)),
      set(acc2, f64x2(0)),
      loop(b, i32(0), get(k), 1,
        set(qb, vLoadSplat64(at(qrow, get(b)))),
        set(col, at(zt, add(mul(get(b), get(ap)), get(a)))),
        set(diff, vLoad(get(col)), get(qb), V.sub),
        set(acc, get(acc), get(diff), get(diff), V.mul, V.add),
        set(diff, vLoad(get(col), 16), get(qb), V.sub),
        set(acc2, get(acc2), get(diff), get(diff), V.mul, V.add),
      ),
      vStore(at(orow, get(a)), v(get(acc), f64x2(-0.5), V.mul)),
      vStore(at(orow, get(a)), v(get(acc2), f64x2(-0.5), V.mul), 16),
    ),
  );
}

interface KdeWasm extends MixtureWasm {
  sqdist(zt: number, q: number, out: number, rows: number, ap: number, k: number): void;
}

let compiled: WebAssembly.Module | null | undefined;
/** The runtime's log-sum-exp module and sqdist over one memory, or null without wasm SIMD. */
function kdeWasm(bytes: number): KdeWasm | null {
  const mw = mixtureWasm(bytes);
  if (!mw) return null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(buildModule([{ name: 'sqdist', params: 6, locals: [[I32, 6], [V128, 4]], body: sqdist() }]));
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const inst = new WebAssembly.Instance(compiled, { env: { mem: mw.memory } });
  return Object.assign(mw, { sqdist: (inst.exports as unknown as KdeWasm).sqdist });
}

const heap = wasmHeap(kdeWasm);
const QB = 16;
const TB = 2048;

let enabled = true;
/** Turns the WebAssembly path off (tests compare it with the plain loop). */
export function useKdeWasm(on: boolean): void {
  enabled = on;
}

/**
 * log sum_i w_i exp(-|z_q - z_i|^2 / 2) for the whitened queries zq (count x k) into out;
 * false when WebAssembly SIMD is not available (the caller runs the plain loop).
 */
export function gaussianBlockSums(p: Plan, n: number, zq: Float64Array, count: number, logW: Float64Array | null, out: Float64Array): boolean {
  if (!enabled) return false;
  const { Z, k } = p;
  // byte offsets: the block of rows transposed, the queries, the terms, exp(terms), log w, max, sum
  const zt = 0;
  const qo = zt + TB * k * 8;
  const vals = qo + QB * k * 8;
  const e = vals + QB * TB * 8;
  const lw = e + QB * TB * 8;
  const mo = lw + TB * 8;
  const so = mo + QB * 8;
  const mem = heap(so + QB * 8);
  if (!mem) return false;
  const { w, h } = mem;
  const M = new Float64Array(count).fill(-Infinity);
  const S = new Float64Array(count);
  for (let t0 = 0; t0 < n; t0 += TB) {
    const tb = Math.min(TB, n - t0);
    const ap = (tb + 3) & ~3;
    for (let b = 0; b < k; b++) {
      const row = zt / 8 + b * ap;
      for (let a = 0; a < tb; a++) h[row + a] = Z[(t0 + a) * k + b]!;
      for (let a = tb; a < ap; a++) h[row + a] = 0;
    }
    for (let a = 0; a < ap; a++) h[lw / 8 + a] = a < tb ? (logW ? logW[t0 + a]! : 0) : -Infinity;
    for (let q0 = 0; q0 < count; q0 += QB) {
      const rows = Math.min(QB, count - q0);
      h.set(zq.subarray(q0 * k, (q0 + rows) * k), qo / 8);
      w.sqdist(zt, qo, vals, rows, ap, k);
      w.lse(vals, lw, mo, so, e, rows, ap);
      for (let r = 0; r < rows; r++) {
        const bm = h[mo / 8 + r]!;
        const bs = h[so / 8 + r]!;
        if (!(bm > -Infinity)) continue; // every weight 0 in this block
        const i = q0 + r;
        if (bm > M[i]!) {
          S[i] = S[i]! * Math.exp(M[i]! - bm) + bs;
          M[i] = bm;
        } else S[i]! += bs * Math.exp(bm - M[i]!);
      }
    }
  }
  for (let i = 0; i < count; i++) out[i] = M[i] === -Infinity ? -Infinity : M[i]! + Math.log(S[i]!);
  return true;
}
