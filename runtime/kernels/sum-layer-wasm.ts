// WebAssembly SIMD (f64x2) kernels of the folded dense sum layer (sum-layer-fast.ts drives
// them), one module per padded shape (Ip inputs, Up units, both multiples of 4) with its
// block layout baked in as constants. A block is up to R rows; every region is row-major:
//   fwd(rows):   E = exp(A - m) (m = row max, 0 when -inf), O = E @ WT, O = log(O) + m
//   bwd(rows, counts):  E and m as fwd; O = r = FL exp(m - O) (0 where FL = 0 or O = -inf);
//                CT = (RW r)^T; G = r @ W; CF += E * G; T += CT @ E (when counts)
// exp, log and the 4 x 4-tiled gemm are wasm-simd-math.ts's (exp within 2 ulp of Math.exp, log
// ~2.4 ulp; multiply-adds are relaxed_madd (FMA) where the engine has relaxed SIMD). rows is a
// multiple of 4.
import { fmaAvailable } from './wasm-features.js';
import { cat as v, DIV, expV, f64c, F64_EQ, F64_MAX, F64_STORE, gemm, logV, MAX, SELECT } from './wasm-simd-math.js';
import { add, buildModule, F64, f64x2, f64x2Op as V, get, I32, i32, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block. */
export const R = 64;

/** Byte offsets of the regions of a block, for inputs Ip and units Up. */
export function layout(Ip: number, Up: number) {
  const WT = 0;
  const W = WT + Ip * Up * 8;
  const A = W + Up * Ip * 8;
  const M = A + R * Ip * 8;
  const O = M + R * 8;
  const FL = O + R * Up * 8;
  const G = FL + R * Up * 8;
  const CT = G + R * Ip * 8;
  const T = CT + Up * R * 8;
  const RW = T + Up * Ip * 8;
  const CF = RW + R * 8;
  return { WT, W, A, M, O, FL, G, CT, T, RW, CF, bytes: CF + R * Ip * 8 };
}

/** rowmax_exp over the rows of A (width Ip): M[r] = max (0 when -inf, NaN when any NaN), A = exp(A - M[r]). */
function rowmaxExp(Ip: number, L: ReturnType<typeof layout>, rowsLocal: number, first: number, pows: readonly number[]): Bytes {
  const [r, p, pend] = [first, first + 1, first + 2];
  const [mx, x, k, rr] = [first + 3, first + 4, first + 5, first + 6];
  const ms = first + 7; // f64
  return loop(r, i32(0), get(rowsLocal), 1,
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    set(pend, add(get(p), i32(Ip * 8))),
    set(mx, f64x2(-Infinity)),
    loop(p, get(p), get(pend), 16, set(mx, get(mx), vLoad(get(p)), MAX)),
    set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
    set(ms, f64c(0), get(ms), get(ms), f64c(-Infinity), [F64_EQ], [SELECT]),
    F64_STORE(add(i32(L.M), mul(get(r), i32(8))), get(ms)),
    set(mx, get(ms), V.splat),
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    loop(p, get(p), get(pend), 16, set(x, vLoad(get(p)), get(mx), V.sub), vStore(get(p), expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!))),
  );
}

// fwd(rows, _): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-13 v128 (log's scratch),
// 14-16 v128 (powers of the polynomials' arguments).
// `dst`: where log(O) + m goes (O itself; FL for fwdKeep, which leaves the linear O in place).
function fwdBody(Ip: number, Up: number, dst = layout(Ip, Up).O): Bytes {
  const L = layout(Ip, Up);
  const [rows, kc] = [0, 1];
  const [r, p, pend, mx, x] = [2, 3, 4, 5, 6];
  const [s, e, m, z] = [10, 11, 12, 13];
  const pows = [14, 15, 16];
  return v(
    rowmaxExp(Ip, L, rows, 2, pows),
    set(kc, i32(Ip)),
    [0x20, rows, 0x20, kc, 0x10, 0], // gemm_f(rows, Ip): O = E @ WT
    loop(r, i32(0), get(rows), 1,
      set(mx, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      set(p, add(i32(L.O), mul(get(r), i32(Up * 8)))),
      set(pend, add(get(p), i32(Up * 8))),
      loop(p, get(p), get(pend), 16, set(x, vLoad(get(p))), vStore(get(p), v(logV(x, s, e, m, z, pows[0]!, pows[1]!, pows[2]!), get(mx), V.add), dst - L.O)),
    ),
  );
}
export const FWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [V128, 7]];

// bwd(rows, counts): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-11 i32, 12-18 v128,
// 19-21 v128 (powers).
// `kept` (bwdKept): A already holds E and O the linear O of fwdKeep: no exp at all, r = FL / O.
function bwdBody(Ip: number, Up: number, kept = false): Bytes {
  const L = layout(Ip, Up);
  const [rows, counts, r, p, u, q, kc] = [0, 1, 2, 3, 4, 10, 11];
  const [ms, o, fl, x, k, rr, rw] = [12, 13, 14, 15, 16, 17, 18];
  const NE = [0xfd, 0x48];
  const pows = [19, 20, 21];
  // r = FL exp(m - O) = FL / O_linear; masked to 0 where FL = 0 or O = -inf (O_linear = 0).
  const ratio = kept
    ? v(get(fl), get(o), DIV, get(fl), f64x2(0), NE, get(o), f64x2(0), NE, vOp.and, vOp.and)
    : v(get(ms), get(o), V.sub, set(x), expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!), get(fl), V.mul, get(fl), f64x2(0), NE, get(o), f64x2(-Infinity), NE, vOp.and, vOp.and);
  return v(
    kept ? [] : rowmaxExp(Ip, L, rows, 2, pows),
    // r (into O); CT[u, r] = RW[r] r
    loop(r, i32(0), get(rows), 1,
      set(ms, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      set(rw, vLoadSplat64(add(i32(L.RW), mul(get(r), i32(8))))),
      loop(u, i32(0), i32(Up), 2,
        set(p, add(mul(get(r), i32(Up * 8)), mul(get(u), i32(8)))),
        set(o, vLoad(get(p), L.O)),
        set(fl, vLoad(get(p), L.FL)),
        set(x, ratio),
        vStore(get(p), get(x), L.O),
        set(q, add(i32(L.CT), mul(add(mul(get(u), i32(R)), get(r)), i32(8)))),
        set(x, get(x), get(rw), V.mul),
        F64_STORE(get(q), v(get(x), lane64(0))),
        F64_STORE(get(q), v(get(x), lane64(1)), R * 8),
      ),
    ),
    set(kc, i32(Up)),
    [0x20, rows, 0x20, kc, 0x10, 1], // gemm_g(rows, Up): G = r @ W
    // CF += E * G
    loop(p, i32(0), mul(get(rows), i32(Ip * 8)), 16,
      vStore(get(p), v(vLoad(get(p), L.CF), vLoad(get(p), L.A), vLoad(get(p), L.G), V.mul, V.add), L.CF),
    ),
    // T += CT @ E
    get(counts), [0x04, 0x40], i32(Up), get(rows), [0x10, 2], [0x0b],
  );
}
export const BWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [I32, 2], [V128, 10]];

export interface SumLayerWasm {
  readonly memory: WebAssembly.Memory;
  readonly layout: ReturnType<typeof layout>;
  fwd(rows: number): void;
  bwd(rows: number, counts: number): void;
  /** fwd, but log(O) + m goes to FL, E stays in A and the linear O in O (for bwdKept). */
  fwdKeep(rows: number): void;
  /** bwd from fwdKeep's E (in A) and linear O (in O): no exp. */
  bwdKept(rows: number, counts: number): void;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** An instance for padded shapes (Ip, Up multiples of 4), or null without wasm SIMD. */
export function sumLayerWasm(Ip: number, Up: number): SumLayerWasm | null {
  const fma = fmaAvailable();
  const key = `${Ip},${Up},${fma}`;
  let mod = compiled.get(key);
  const L = layout(Ip, Up);
  if (mod === undefined) {
    const gemmLocals: [number, number][] = [[I32, 6], [V128, 11]];
    try {
      mod = new WebAssembly.Module(
        buildModule([
          { name: 'gemm_f', params: 2, locals: gemmLocals, body: gemm(L.A, Ip, L.WT, L.O, Up, false, fma) },
          { name: 'gemm_g', params: 2, locals: gemmLocals, body: gemm(L.O, Up, L.W, L.G, Ip, false, fma) },
          { name: 'gemm_t', params: 2, locals: gemmLocals, body: gemm(L.CT, R, L.A, L.T, Ip, true, fma) },
          { name: 'fwd', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up) },
          { name: 'bwd', params: 2, locals: BWD_LOCALS, body: bwdBody(Ip, Up) },
          { name: 'fwdKeep', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up, L.FL) },
          { name: 'bwdKept', params: 2, locals: BWD_LOCALS, body: bwdBody(Ip, Up, true) },
        ]),
      );
    } catch {
      mod = null;
    }
    compiled.set(key, mod);
  }
  if (mod === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(L.bytes / 65536) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  type Fn = (rows: number, flag: number) => void;
  const ex = inst.exports as unknown as { fwd: Fn; bwd: Fn; fwdKeep: Fn; bwdKept: Fn };
  return { memory, layout: L, fwd: (rows) => ex.fwd(rows, 0), bwd: (rows, counts) => ex.bwd(rows, counts), fwdKeep: (rows) => ex.fwdKeep(rows, 0), bwdKept: (rows, counts) => ex.bwdKept(rows, counts) };
}
