// WebAssembly SIMD (f64x2) kernels of the Normal leaf on complete rows (gaussian-kernels.ts
// drives them): diagonal and triangular-precision log-densities vectorized over pairs of
// units, C += Y^T R (sufficient statistics) and a per-unit weighted scatter. No FMA in wasm
// SIMD: each multiply-add is a mul and an add, so every result is plain float64 arithmetic.
// Pointers are byte offsets; row counts are even, unit counts (kp) multiples of 4.
import { add, buildModule, f64, F64, f64x2, f64x2Op as V, f64x2RelaxedMadd, get, I32, i32, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const at = (base: number, idx: Bytes): Bytes => add(get(base), mul(idx, i32(8)));
const bump = (l: number, by: Bytes): Bytes => set(l, get(l), by, [0x6a]);
/** acc += a * b for locals. */
const madd = (acc: number, a: Bytes, b: Bytes): Bytes => set(acc, get(acc), a, b, V.mul, V.add);
/** acc += a * b, fused (one rounding) when `fma` (relaxed SIMD; gmm-diag-wasm.ts asks for it). */
const maddF = (fma: boolean, acc: number, a: Bytes, b: Bytes): Bytes => (fma ? set(acc, a, b, get(acc), f64x2RelaxedMadd) : madd(acc, a, b));
const F64_STORE = (addr: Bytes, value: Bytes): Bytes => [...addr, ...value, 0x39, 3, 0];
const F64_LOAD = (addr: Bytes): Bytes => [...addr, 0x2b, 3, 0];
const F64_GT = 0x64;

// diag_ld(x, xs, mu, p, c, out, rows, d, kp): out[r, u] = c[u] + sum_j (x[r, j] - mu[j, u])^2 p[j, u]
// (p = -1/(2 var)); x has row stride xs; mu, p are d x kp. Tile: 2 rows x 4 units.
export function diagLd(fma = false): Bytes {
  const [x, xs, mu, p, c, out, rows, d, kp, r, u, j, x0, x1, mp, pp, op] = Array.from({ length: 17 }, (_, i) => i);
  const [a0, a1, a2, a3, s0, s1, m0, m1, q0, q1, z] = Array.from({ length: 11 }, (_, i) => 17 + i);
  const kb = mul(get(kp), i32(8));
  const term = (acc: number, s: number, m: number, q: number): Bytes =>
    v(set(z, get(s), get(m), V.sub), fma ? maddF(true, acc, v(get(z), get(q), V.mul), get(z)) : set(acc, get(acc), get(z), get(z), V.mul, get(q), V.mul, V.add));
  return loop(r, i32(0), get(rows), 2,
    set(x0, at(x, mul(get(r), get(xs)))),
    set(x1, add(get(x0), mul(get(xs), i32(8)))),
    loop(u, i32(0), get(kp), 4,
      set(a0, vLoad(at(c, get(u)))), set(a1, vLoad(at(c, get(u)), 16)), set(a2, get(a0)), set(a3, get(a1)),
      set(mp, at(mu, get(u))), set(pp, at(p, get(u))),
      loop(j, i32(0), get(d), 1,
        set(s0, vLoadSplat64(at(x0, get(j)))), set(s1, vLoadSplat64(at(x1, get(j)))),
        set(m0, vLoad(get(mp))), set(m1, vLoad(get(mp), 16)), set(q0, vLoad(get(pp))), set(q1, vLoad(get(pp), 16)),
        term(a0, s0, m0, q0), term(a1, s0, m1, q1), term(a2, s1, m0, q0), term(a3, s1, m1, q1),
        bump(mp, kb), bump(pp, kb),
      ),
      set(op, at(out, add(mul(get(r), get(kp)), get(u)))),
      vStore(get(op), get(a0)), vStore(get(op), get(a1), 16), vStore(add(get(op), kb), get(a2)), vStore(add(get(op), kb), get(a3), 16),
    ),
  );
}

// full_ld(x, xs, m, b, c, out, rows, d, kp): out[r, u] = c[u] - 0.5 sum_a (sum_{j<=a} m[a, j, u] x[r, j] - b[a, u])^2,
// m packed lower-triangular (row a starts at a(a+1)/2) x kp, b d x kp. Tile: 2 rows x 4 units.
function fullLd(): Bytes {
  const [x, xs, m, b, c, out, rows, d, kp, r, u, a, j, x0, x1, mp, bp, op] = Array.from({ length: 18 }, (_, i) => i);
  const [q0, q1, q2, q3, z0, z1, z2, z3, s0, s1, w0, w1] = Array.from({ length: 12 }, (_, i) => 18 + i);
  const kb = mul(get(kp), i32(8));
  const sq = (q: number, z: number): Bytes => set(q, get(q), get(z), get(z), V.mul, V.add);
  const out4 = (q: number, off: Bytes, o: number): Bytes => vStore(add(get(op), off), v(vLoad(at(c, get(u)), o), get(q), f64x2(-0.5), V.mul, V.add), o);
  return loop(r, i32(0), get(rows), 2,
    set(x0, at(x, mul(get(r), get(xs)))),
    set(x1, add(get(x0), mul(get(xs), i32(8)))),
    loop(u, i32(0), get(kp), 4,
      ...[q0, q1, q2, q3].map((q) => set(q, f64x2(0))),
      set(mp, at(m, get(u))), set(bp, at(b, get(u))),
      loop(a, i32(0), get(d), 1,
        set(z0, f64x2(0), vLoad(get(bp)), V.sub), set(z1, f64x2(0), vLoad(get(bp), 16), V.sub), set(z2, get(z0)), set(z3, get(z1)),
        loop(j, i32(0), add(get(a), i32(1)), 1,
          set(s0, vLoadSplat64(at(x0, get(j)))), set(s1, vLoadSplat64(at(x1, get(j)))),
          set(w0, vLoad(get(mp))), set(w1, vLoad(get(mp), 16)),
          madd(z0, get(w0), get(s0)), madd(z1, get(w1), get(s0)), madd(z2, get(w0), get(s1)), madd(z3, get(w1), get(s1)),
          bump(mp, kb),
        ),
        sq(q0, z0), sq(q1, z1), sq(q2, z2), sq(q3, z3),
        bump(bp, kb),
      ),
      set(op, at(out, add(mul(get(r), get(kp)), get(u)))),
      out4(q0, i32(0), 0), out4(q1, i32(0), 16), out4(q2, kb, 0), out4(q3, kb, 16),
    ),
  );
}

// gemm_tn(y, ys, rr, rs, acc, rows, jp, kp): acc[j, u] += sum_r y[r, j] rr[r, u] for j < jp, u < kp
// (acc jp x kp; y, rr with row strides ys, rs). Tile: 4 j x 4 u over all rows.
export function gemmTn(fma = false): Bytes {
  const [y, ys, rr, rs, acc, rows, jp, kp, r, j, u, yp, rp, ap] = Array.from({ length: 14 }, (_, i) => i);
  const cs = Array.from({ length: 8 }, (_, i) => 14 + i);
  const [e0, e1, t] = [22, 23, 24];
  const kb = mul(get(kp), i32(8));
  const cell = (q: number, h: number): Bytes => add(add(get(ap), mul(i32(q), kb)), i32(16 * h));
  return loop(j, i32(0), get(jp), 4,
    loop(u, i32(0), get(kp), 4,
      ...cs.map((k) => set(k, f64x2(0))),
      set(yp, at(y, get(j))), set(rp, at(rr, get(u))),
      loop(r, i32(0), get(rows), 1,
        set(e0, vLoad(get(rp))), set(e1, vLoad(get(rp), 16)),
        ...[0, 1, 2, 3].flatMap((q) => [set(t, vLoadSplat64(get(yp), 8 * q)), maddF(fma, cs[2 * q]!, get(t), get(e0)), maddF(fma, cs[2 * q + 1]!, get(t), get(e1))]),
        bump(yp, mul(get(ys), i32(8))), bump(rp, mul(get(rs), i32(8))),
      ),
      set(ap, at(acc, add(mul(get(j), get(kp)), get(u)))),
      ...[0, 1, 2, 3].flatMap((q) => [0, 1].map((h) => vStore(cell(q, h), v(vLoad(cell(q, h)), get(cs[2 * q + h]!), V.add)))),
    ),
  );
}

// scatter(x, xs, mu, rr, rs, dw, s, rows, dp): for one unit, the rows with rr > 0 (others add
// nothing; with well-separated components most are 0) are packed into dw as d = x - mu and,
// rows x dp further on, w = rr d; then s[a, b] += sum w[., a] d[., b] on the 4 x 4 blocks with
// b-block <= a-block (s dp x dp, dp a multiple of 4; columns past the data are ignored by the caller).
function scatter(): Bytes {
  const [x, xs, mu, rr, rs, dw, s, rows, dp, r, k, a, b, xp, dq, wq, sp, m] = Array.from({ length: 18 }, (_, i) => i);
  const cs = Array.from({ length: 8 }, (_, i) => 18 + i);
  const [t, d0, d1, rv] = [26, 27, 28, 29];
  const rs1 = 30; // f64
  const wOff = mul(mul(get(rows), get(dp)), i32(8));
  const rowB = mul(get(dp), i32(8));
  const cell = (q: number, h: number): Bytes => add(get(sp), add(mul(i32(q), rowB), i32(16 * h)));
  return v(
    set(m, i32(0)),
    loop(r, i32(0), get(rows), 1,
      set(rs1, F64_LOAD(at(rr, mul(get(r), get(rs))))),
      get(rs1), f64(0), [F64_GT, 0x04, 0x40], // if rr > 0
      set(xp, at(x, mul(get(r), get(xs)))),
      set(dq, at(dw, mul(get(m), get(dp)))),
      set(rv, get(rs1), V.splat),
      loop(k, i32(0), get(dp), 2,
        set(t, vLoad(at(xp, get(k))), vLoad(at(mu, get(k))), V.sub),
        vStore(at(dq, get(k)), get(t)),
        vStore(add(at(dq, get(k)), wOff), v(get(t), get(rv), V.mul)),
      ),
      set(m, get(m), i32(1), [0x6a]),
      [0x0b],
    ),
    loop(a, i32(0), get(dp), 4,
      loop(b, i32(0), add(get(a), i32(1)), 4,
        ...cs.map((c) => set(c, f64x2(0))),
        set(dq, at(dw, get(b))), set(wq, add(at(dw, get(a)), wOff)),
        loop(r, i32(0), get(m), 1,
          set(d0, vLoad(get(dq))), set(d1, vLoad(get(dq), 16)),
          ...[0, 1, 2, 3].flatMap((q) => [set(t, vLoadSplat64(get(wq), 8 * q)), madd(cs[2 * q]!, get(t), get(d0)), madd(cs[2 * q + 1]!, get(t), get(d1))]),
          bump(dq, rowB), bump(wq, rowB),
        ),
        set(sp, at(s, add(mul(get(a), get(dp)), get(b)))),
        ...[0, 1, 2, 3].flatMap((q) => [0, 1].map((h) => vStore(cell(q, h), v(vLoad(cell(q, h)), get(cs[2 * q + h]!), V.add)))),
      ),
    ),
  );
}

// prep(x, xs, g, y, ys, flags, rows, d2, sq): y[r] = [z, z^2 when sq, 1] with z = x[r, :d2] - g
// (the 1 at column d2, or 2 d2 when sq); flags[r] = 1 when z has a NaN, else 0. d2 even.
function prep(): Bytes {
  const [x, xs, g, y, ys, flags, rows, d2, sq, r, k, xp, yp] = Array.from({ length: 13 }, (_, i) => i);
  const [z, nan] = [13, 14];
  const ones = add(get(d2), mul(get(d2), get(sq)));
  return loop(r, i32(0), get(rows), 1,
    set(xp, at(x, mul(get(r), get(xs)))),
    set(yp, at(y, mul(get(r), get(ys)))),
    set(nan, f64x2(0)),
    loop(k, i32(0), get(d2), 2,
      set(z, vLoad(at(xp, get(k))), vLoad(at(g, get(k))), V.sub),
      set(nan, get(nan), get(z), get(z), V.ne, vOp.or),
      vStore(at(yp, get(k)), get(z)),
      get(sq), [0x04, 0x40], vStore(at(yp, add(get(k), get(d2))), v(get(z), get(z), V.mul)), [0x0b], // if sq
    ),
    F64_STORE(at(yp, ones), f64(1)),
    F64_STORE(at(flags, get(r)), v(get(nan), [0xfd, 0x53, 0xb8])), // any_true, f64.convert_i32_u
  );
}

// relu(p, len): p[i] = p[i] > 0 ? p[i] : 0 (NaN to 0), len even.
function relu(): Bytes {
  const [p, len, i] = [0, 1, 2];
  return loop(i, i32(0), get(len), 2, vStore(at(p, get(i)), v(f64x2(0), vLoad(at(p, get(i))), V.pmax)));
}

export interface GaussianWasm {
  readonly memory: WebAssembly.Memory;
  diag_ld(x: number, xs: number, mu: number, p: number, c: number, out: number, rows: number, d: number, kp: number): void;
  full_ld(x: number, xs: number, m: number, b: number, c: number, out: number, rows: number, d: number, kp: number): void;
  gemm_tn(y: number, ys: number, rr: number, rs: number, acc: number, rows: number, jp: number, kp: number): void;
  scatter(x: number, xs: number, mu: number, rr: number, rs: number, dw: number, s: number, rows: number, dp: number): void;
  relu(p: number, len: number): void;
  prep(x: number, xs: number, g: number, y: number, ys: number, flags: number, rows: number, d2: number, sq: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** An instance over a fresh memory of at least `bytes` bytes, or null without wasm SIMD. */
export function gaussianWasm(bytes: number): GaussianWasm | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(
        buildModule([
          { name: 'diag_ld', params: 9, locals: [[I32, 8], [V128, 11]], body: diagLd() },
          { name: 'full_ld', params: 9, locals: [[I32, 9], [V128, 12]], body: fullLd() },
          { name: 'gemm_tn', params: 8, locals: [[I32, 6], [V128, 11]], body: gemmTn() },
          { name: 'scatter', params: 9, locals: [[I32, 9], [V128, 12], [F64, 1]], body: scatter() },
          { name: 'relu', params: 2, locals: [[I32, 1]], body: relu() },
          { name: 'prep', params: 9, locals: [[I32, 4], [V128, 2]], body: prep() },
        ]),
      );
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
  return { memory, ...(inst.exports as unknown as Omit<GaussianWasm, 'memory'>) };
}
