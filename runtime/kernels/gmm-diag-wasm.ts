// The fused E-step of a diagonal Gaussian mixture on WebAssembly SIMD (f64x2), one pass over a
// range of rows in blocks of BLOCK rows that stay in cache: per block the log-densities of every
// component (+ log weight), per row the log-sum-exp and the weighted responsibilities, then the
// statistics sum_r r [z, z^2, 1] (z = x - g) added to the caller's accumulator. Used by
// gmm-diag-engine.ts (single thread, or one range per worker thread on a shared memory).
import { diagLd, gemmTn } from './gaussian-wasm.js';
import { CUT, expV } from './mixture-wasm.js';
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, call, F64, f64, f64x2, f64x2Op as V, get, I32, i32, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block (even): the block's log-densities and [z, z^2, 1] rows (K = 32, D = 16: 68 KB) stay in L2. */
export const BLOCK = 128;
/** The largest memory the shared module may grow to (pages of 64 KiB: 2 GiB). */
export const MAX_PAGES = 32768;

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const at = (base: number, idx: Bytes): Bytes => add(get(base), mul(idx, i32(8)));
const F64_STORE = (addr: Bytes, value: Bytes): Bytes => [...addr, ...value, 0x39, 3, 0];
const F64_LOAD = (addr: Bytes): Bytes => [...addr, 0x2b, 3, 0];
const I32_STORE = (addr: Bytes, value: Bytes): Bytes => [...addr, ...value, 0x36, 2, 0];
const I32_LOAD = (addr: Bytes): Bytes => [...addr, 0x28, 2, 0];
const [F64_ADD, F64_SUB, F64_MUL, F64_DIV, F64_GT, F64_MAX] = [0xa0, 0xa1, 0xa2, 0xa3, 0x64, 0xa5];
const [I32_SUB, I32_GT_S, I32_AND, SELECT] = [0x6b, 0x4a, 0x71, 0x1b];
const ANY_TRUE: Bytes = [0xfd, 0x53];
const ifElse = (cond: Bytes, then: Bytes, otherwise: Bytes): Bytes => v(cond, [0x04, 0x40], then, [0x05], otherwise, [0x0b]);

// lse_resp(ld, rw, m, s, rows, kp, nz): per row r, t = ld[r, :] (log weight included; padding -inf):
// m[r] = max t, s[r] = sum exp(t - m[r]) and ld[r, :] = rw[r] exp(t - m[r]) / s[r] (all 0 when the
// max is -inf). exp as in mixture-wasm.ts (terms under exp(CUT) of the largest are 0); the
// i32 at nz counts the groups of 4 units that had a term above it (the rest are exactly 0).
function lseResp(): Bytes {
  const [ld, rw, m, s, rows, kp, nzp, r, a, row, nz] = Array.from({ length: 11 }, (_, i) => i);
  const [t, t2, mx, acc, k, rr, k2, r2, fv] = Array.from({ length: 9 }, (_, i) => 11 + i);
  const [ms, ss, f] = [20, 21, 22];
  return v(set(nz, i32(0)), loop(r, i32(0), get(rows), 1,
    set(row, at(ld, mul(get(r), get(kp)))),
    set(mx, f64x2(-Infinity)),
    loop(a, i32(0), get(kp), 4,
      set(mx, get(mx), vLoad(at(row, get(a))), V.pmax, vLoad(at(row, get(a)), 16), V.pmax),
    ),
    set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
    set(mx, get(ms), V.splat),
    set(acc, f64x2(0)),
    loop(a, i32(0), get(kp), 4,
      set(t, vLoad(at(row, get(a))), get(mx), V.sub),
      set(t2, vLoad(at(row, get(a)), 16), get(mx), V.sub),
      ifElse(v(get(t), f64x2(CUT), V.ge, get(t2), f64x2(CUT), V.ge, [0xfd, 0x50], ANY_TRUE), v(set(t, expV(t, k, rr)), set(t2, expV(t2, k2, r2)), set(nz, get(nz), i32(1), [0x6a])), v(set(t, f64x2(0)), set(t2, f64x2(0)))),
      vStore(at(row, get(a)), get(t)),
      vStore(at(row, get(a)), get(t2), 16),
      set(acc, get(acc), get(t), V.add, get(t2), V.add),
    ),
    set(ss, get(acc), lane64(0), get(acc), lane64(1), [F64_ADD]),
    F64_STORE(at(m, get(r)), get(ms)),
    F64_STORE(at(s, get(r)), get(ss)),
    set(f, F64_LOAD(at(rw, get(r))), get(ss), [F64_DIV], f64(0), get(ss), f64(0), [F64_GT, SELECT]),
    set(fv, get(f), V.splat),
    loop(a, i32(0), get(kp), 2, vStore(at(row, get(a)), v(vLoad(at(row, get(a))), get(fv), V.mul))),
  ), I32_STORE(get(nzp), get(nz)));
}

// sparse_stats(y, jn, jp, rr, kp, acc, rows): acc[j, u] += sum_r y[r, j] rr[r, u] for j < jn,
// visiting only the groups of 4 units of a row with a non-zero weight (with well-separated
// components most rows have one or two): the same sums as gemm_tn, added row by row.
function sparseStats(): Bytes {
  const [y, jn, jp, rr, kp, acc, rows, r, u, j, yp, ap] = Array.from({ length: 12 }, (_, i) => i);
  const [e0, e1, t] = [12, 13, 14];
  const kb = mul(get(kp), i32(8));
  return loop(r, i32(0), get(rows), 1,
    loop(u, i32(0), get(kp), 4,
      set(e0, vLoad(at(rr, add(mul(get(r), get(kp)), get(u))))),
      set(e1, vLoad(at(rr, add(mul(get(r), get(kp)), get(u))), 16)),
      get(e0), f64x2(0), V.ne, get(e1), f64x2(0), V.ne, [0xfd, 0x50], ANY_TRUE, [0x04, 0x40],
      set(yp, at(y, mul(get(r), get(jp)))),
      set(ap, at(acc, get(u))),
      loop(j, i32(0), get(jn), 1,
        set(t, vLoadSplat64(at(yp, get(j)))),
        vStore(get(ap), v(vLoad(get(ap)), get(t), get(e0), V.mul, V.add)),
        vStore(get(ap), v(vLoad(get(ap), 16), get(t), get(e1), V.mul, V.add), 16),
        set(ap, get(ap), kb, [0x6a]),
      ),
      [0x0b],
    ),
  );
}

// prep_y(x, g, y, rows, d, jp): y[r] = [z, z^2, 1] with z = x[r, :] - g (row strides d and jp;
// columns past 2 d + 1 are left as they are: zero).
function prepY(): Bytes {
  const [x, g, y, rows, d, jp, r, k, xp, yp] = Array.from({ length: 10 }, (_, i) => i);
  const z = 10;
  return loop(r, i32(0), get(rows), 1,
    set(xp, at(x, mul(get(r), get(d)))),
    set(yp, at(y, mul(get(r), get(jp)))),
    loop(k, i32(0), get(d), 1,
      set(z, F64_LOAD(at(xp, get(k))), F64_LOAD(at(g, get(k))), [F64_SUB]),
      F64_STORE(at(yp, get(k)), get(z)),
      F64_STORE(at(yp, add(get(k), get(d))), v(get(z), get(z), [F64_MUL])),
    ),
    F64_STORE(at(yp, mul(get(d), i32(2))), f64(1)),
  );
}

// estep(x, rw, mu, p, c, g, m, s, ld, y, acc, i0, i1, d, kp, jp, nz): rows [i0, i1) of x (n x d),
// in blocks of BLOCK: ld = c + sum_d (x - mu)^2 p (mu, p: d x kp; c: kp, log weight included),
// lse_resp, prep_y, acc (jp x kp) += y^T ld, by gemm_tn or, when at most half of the block's
// groups of units are non-zero, sparse_stats. ld holds BLOCK x kp, y BLOCK x jp values; nz an i32.
function estep(): Bytes {
  const [x, rw, mu, p, c, g, m, s, ld, y, acc, i0, i1, d, kp, jp, nz] = Array.from({ length: 17 }, (_, i) => i);
  const [b, cnt, xb] = [17, 18, 19];
  const dense = v(get(y), get(jp), get(ld), get(kp), get(acc), get(cnt), get(jp), get(kp), call(1));
  const sparse = v(get(y), get(d), i32(2), [0x6c], i32(1), [0x6a], get(jp), get(ld), get(kp), get(acc), get(cnt), call(4));
  return loop(b, get(i0), get(i1), BLOCK,
    set(cnt, get(i1), get(b), [I32_SUB]),
    set(cnt, i32(BLOCK), get(cnt), get(cnt), i32(BLOCK), [I32_GT_S, SELECT]),
    set(xb, at(x, mul(get(b), get(d)))),
    // diag_ld takes rows in pairs: an odd block also computes (and ignores) the row after it.
    get(xb), get(d), get(mu), get(p), get(c), get(ld), get(cnt), i32(1), [0x6a], i32(-2), [I32_AND], get(d), get(kp), call(0),
    get(ld), at(rw, get(b)), at(m, get(b)), at(s, get(b)), get(cnt), get(kp), get(nz), call(2),
    get(xb), get(g), get(y), get(cnt), get(d), get(jp), call(3),
    // 2 nz <= cnt kp / 4: at most half the groups are non-zero.
    ifElse(v(I32_LOAD(get(nz)), i32(3), [0x74], mul(get(cnt), get(kp)), [0x4c]), sparse, dense),
  );
}

export interface GmmDiagExports {
  estep(x: number, rw: number, mu: number, p: number, c: number, g: number, m: number, s: number, ld: number, y: number, acc: number, i0: number, i1: number, d: number, kp: number, jp: number, nz: number): void;
}

const modules = new Map<string, WebAssembly.Module | null>();

/**
 * The compiled module (its memory shared or not), or null without wasm SIMD. With relaxed SIMD
 * (wasm-features.ts) the log-densities and the dense statistics use fused multiply-adds.
 */
export function gmmDiagModule(shared: boolean, fma = fmaAvailable()): WebAssembly.Module | null {
  const key = `${shared}/${fma}`;
  if (!modules.has(key)) {
    try {
      const bytes = buildModule(
        [
          { name: 'diag_ld', params: 9, locals: [[I32, 8], [V128, 11]], body: diagLd(fma) },
          { name: 'gemm_tn', params: 8, locals: [[I32, 6], [V128, 11]], body: gemmTn(fma) },
          { name: 'lse_resp', params: 7, locals: [[I32, 4], [V128, 9], [F64, 3]], body: lseResp() },
          { name: 'prep_y', params: 6, locals: [[I32, 4], [F64, 1]], body: prepY() },
          { name: 'sparse_stats', params: 7, locals: [[I32, 5], [V128, 3]], body: sparseStats() },
          { name: 'estep', params: 17, locals: [[I32, 3]], body: estep() },
        ],
        shared ? { shared: true, maxPages: MAX_PAGES } : {},
      );
      modules.set(key, new WebAssembly.Module(bytes));
    } catch {
      modules.set(key, null);
    }
  }
  return modules.get(key)!;
}
