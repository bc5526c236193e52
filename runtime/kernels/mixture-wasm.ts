// WebAssembly SIMD (f64x2) kernels of a mixing node over one child (mixture-kernels.ts drives
// them): per-row log-sum-exp and the backward responsibilities. exp is a degree-13 Taylor
// polynomial after reduction by ln 2 (within 1 ulp of Math.exp on x <= 0, the range used),
// 0 below -708 and for NaN; terms under exp(CUT) of the row's largest are 0. Pointers are
// byte offsets; the row width ap is a multiple of 4.
import { add, buildModule, F64, f64x2, f64x2Op as V, get, I32, i32, i64, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const at = (base: number, idx: Bytes): Bytes => add(get(base), mul(idx, i32(8)));
const F64_ADD = 0xa0;
const F64_MAX = 0xa5;
const F64_STORE = (addr: Bytes, value: Bytes): Bytes => [...addr, ...value, 0x39, 3, 0];

/**
 * exp of values below CUT (relative to the row's largest term, which contributes 1) is taken
 * as 0: such a term is under 2^-57 of the sum, below its rounding, and skipping groups of
 * four such terms saves most exps on well-separated mixtures.
 */
const CUT = -40;
const ANY_TRUE: Bytes = [0xfd, 0x53];
const ifElse = (cond: Bytes, then: Bytes, otherwise: Bytes): Bytes => v(cond, [0x04, 0x40], then, [0x05], otherwise, [0x0b]);
const SHIFT = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer kept in the low bits
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_FACT = Array.from({ length: 14 }, (_, i) => 1 / Array.from({ length: i }, (_, j) => j + 1).reduce((a, b) => a * b, 1)).reverse();

/** exp of the v128 in local x, on the stack; locals k, r are scratch. */
export function expV(x: number, k: number, r: number): Bytes {
  const horner = INV_FACT.slice(1).reduce<Bytes>((acc, c) => v(acc, get(r), V.mul, f64x2(c), V.add), f64x2(INV_FACT[0]!));
  return v(
    set(k, get(x), f64x2(-708), V.pmax, f64x2(709), V.pmin, f64x2(Math.LOG2E), V.mul, f64x2(SHIFT), V.add),
    set(r, get(k), f64x2(SHIFT), V.sub),
    set(r, get(x), get(r), f64x2(LN2_HI), V.mul, V.sub, get(r), f64x2(LN2_LO), V.mul, V.sub),
    horner,
    // 2^k from the rounded value's low bits: (bits + 1023) << 52.
    get(k), i64(1023), V.i64x2Splat, V.i64x2Add, i32(52), V.i64x2Shl, V.mul,
    get(x), f64x2(-708), V.ge, vOp.and,
  );
}

// lse(vals, logw, m, s, e, rows, ap): per row, m[r] = max_a t, e[r, a] = exp(t - m[r]) and
// s[r] = sum_a e[r, a] with t = vals[r, a] + logw[a] (padding logw = -inf). Rows whose max is
// not finite are redone by the caller.
function lse(): Bytes {
  const [vals, logw, m, s, e, rows, ap, r, a, row, erow] = Array.from({ length: 11 }, (_, i) => i);
  const [t, mx, acc, k, rr, t2, k2, r2, nan] = Array.from({ length: 9 }, (_, i) => 11 + i);
  const [ms, ss] = [20, 21];
  const tAt = (o: number): Bytes => v(vLoad(at(row, get(a)), o), vLoad(at(logw, get(a)), o), V.add);
  return loop(r, i32(0), get(rows), 1,
    set(row, at(vals, mul(get(r), get(ap)))),
    set(mx, f64x2(-Infinity)),
    set(nan, f64x2(0)),
    // pmax skips NaN; NaN lanes are flagged apart and make the row's max NaN (redone by the caller).
    loop(a, i32(0), get(ap), 4,
      set(t, tAt(0)), set(t2, tAt(16)),
      set(mx, get(mx), get(t), V.pmax, get(t2), V.pmax),
      set(nan, get(nan), get(t), get(t), V.ne, vOp.or, get(t2), get(t2), V.ne, vOp.or),
    ),
    set(mx, f64x2(NaN), get(mx), get(nan), vOp.bitselect),
    set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
    set(mx, get(ms), V.splat),
    set(acc, f64x2(0)),
    set(erow, at(e, mul(get(r), get(ap)))),
    loop(a, i32(0), get(ap), 4,
      set(t, tAt(0), get(mx), V.sub),
      set(t2, tAt(16), get(mx), V.sub),
      ifElse(v(get(t), f64x2(CUT), V.ge, get(t2), f64x2(CUT), V.ge, vOp.or, ANY_TRUE), v(set(t, expV(t, k, rr)), set(t2, expV(t2, k2, r2))), v(set(t, f64x2(0)), set(t2, f64x2(0)))),
      vStore(at(erow, get(a)), get(t)),
      vStore(at(erow, get(a)), get(t2), 16),
      set(acc, get(acc), get(t), V.add, get(t2), V.add),
    ),
    set(ss, get(acc), lane64(0), get(acc), lane64(1), [F64_ADD]),
    F64_STORE(at(m, get(r)), get(ms)),
    F64_STORE(at(s, get(r)), get(ss)),
  );
}

// resp(vals, logw, o, fl, rw, out, counts, rows, ap): out[r, a] = fl[r] exp(vals[r, a] + logw[a] - o[r]);
// counts[a] += rw[r] out[r, a].
function resp(): Bytes {
  const [vals, logw, o, fl, rw, out, counts, rows, ap, r, a, row, orow] = Array.from({ length: 13 }, (_, i) => i);
  const [os, fs, ws] = [13, 14, 15];
  const [ts, ks, rs, es] = [[16, 17], [18, 19], [20, 21], [22, 23]];
  return loop(r, i32(0), get(rows), 1,
    set(row, at(vals, mul(get(r), get(ap)))),
    set(orow, at(out, mul(get(r), get(ap)))),
    set(os, vLoadSplat64(at(o, get(r)))),
    set(fs, vLoadSplat64(at(fl, get(r)))),
    set(ws, vLoadSplat64(at(rw, get(r)))),
    loop(a, i32(0), get(ap), 4,
      ...[0, 16].map((o, h) => set(ts[h]!, vLoad(at(row, get(a)), o), vLoad(at(logw, get(a)), o), V.add, get(os), V.sub)),
      ifElse(
        v(get(ts[0]!), f64x2(CUT), V.ge, get(ts[1]!), f64x2(CUT), V.ge, vOp.or, ANY_TRUE),
        v(...[0, 1].map((h) => set(es[h]!, expV(ts[h]!, ks[h]!, rs[h]!), get(fs), V.mul))),
        v(set(es[0]!, f64x2(0)), set(es[1]!, f64x2(0))),
      ),
      ...[0, 16].flatMap((o, h) => [
        vStore(at(orow, get(a)), get(es[h]!), o),
        vStore(at(counts, get(a)), v(vLoad(at(counts, get(a)), o), get(es[h]!), get(ws), V.mul, V.add), o),
      ]),
    ),
  );
}

// scale(e, f, rw, counts, rows, ap): e[r, a] *= f[r]; counts[a] += rw[r] e[r, a].
function scale(): Bytes {
  const [e, f, rw, counts, rows, ap, r, a, row] = Array.from({ length: 9 }, (_, i) => i);
  const [fs, ws, x] = [9, 10, 11];
  return loop(r, i32(0), get(rows), 1,
    set(row, at(e, mul(get(r), get(ap)))),
    set(fs, vLoadSplat64(at(f, get(r)))),
    set(ws, vLoadSplat64(at(rw, get(r)))),
    loop(a, i32(0), get(ap), 2,
      set(x, vLoad(at(row, get(a))), get(fs), V.mul),
      vStore(at(row, get(a)), get(x)),
      vStore(at(counts, get(a)), v(vLoad(at(counts, get(a))), get(x), get(ws), V.mul, V.add)),
    ),
  );
}

export interface MixtureWasm {
  readonly memory: WebAssembly.Memory;
  lse(vals: number, logw: number, m: number, s: number, e: number, rows: number, ap: number): void;
  scale(e: number, f: number, rw: number, counts: number, rows: number, ap: number): void;
  resp(vals: number, logw: number, o: number, fl: number, rw: number, out: number, counts: number, rows: number, ap: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** An instance over a fresh memory of at least `bytes` bytes, or null without wasm SIMD. */
export function mixtureWasm(bytes: number): MixtureWasm | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(
        buildModule([
          { name: 'lse', params: 7, locals: [[I32, 4], [V128, 9], [F64, 2]], body: lse() },
          { name: 'scale', params: 6, locals: [[I32, 3], [V128, 3]], body: scale() },
          { name: 'resp', params: 9, locals: [[I32, 4], [V128, 11]], body: resp() },
        ]),
      );
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
  return { memory, ...(inst.exports as unknown as Omit<MixtureWasm, 'memory'>) };
}
