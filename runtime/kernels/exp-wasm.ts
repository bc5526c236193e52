// exp of a float64 array in place in WebAssembly SIMD (f64x2), and the whole softmax of runs of
// even length: the integral circuits' simplex outputs (circuits/integral/latent-transforms.ts).
// wasm-simd-math.ts's expV (reduction by ln 2, degree-13 polynomial, 2^k from the bits): a few
// ulp from Math.exp on [-708, 0]; entries outside it (or NaN) are the caller's to redo.
import { buildModule, f64x2, f64x2Op as V, get, I32, i32, lane64, loop, add, op, set, V128, vLoad, vOp, vStore, type Bytes } from './wasm-asm.js';
import { cat, DIV, expV, F64_MAX, MAX } from './wasm-simd-math.js';
import { wasmHeap } from './wasm-heap.js';

/** Lowest input the kernel is exact on (it flushes below it to 0 and maps NaN to 0). */
export const EXP_WASM_MIN = -708;

// exp(p, count): x[i] = exp(x[i]) for the `count` doubles at byte offset p (count even);
// two pairs per iteration, so their polynomial chains overlap.
function expBody(): Bytes {
  const [p, count, i] = [0, 1, 2];
  const regs = [0, 1].map((u) => Array.from({ length: 6 }, (_, k) => 3 + u * 6 + k));
  const at = add(get(p), get(i));
  const one = (u: number): Bytes => {
    const [x, k, r, r2, r4, r8] = regs[u]!;
    return cat(set(x!, vLoad(at, u * 16)), vStore(at, expV(x!, k!, r!, r2!, r4!, r8!), u * 16));
  };
  // Pairs of pairs, then the last pair alone where count / 2 is odd.
  return cat(
    loop(i, i32(0), cat(get(count), i32(2), [0x6b], i32(8), [0x6c]), 32, one(0), one(1)),
    loop(i, get(i), cat(get(count), i32(8), [0x6c]), 16, one(0)),
  );
}

/** for (i = from; i < to; i += step) with a step computed at run time (loop's is a constant). */
function loopBy(i: number, from: Bytes, to: Bytes, step: Bytes, ...body: Bytes[]): Bytes {
  return cat(set(i, from), [0x02, 0x40, 0x03, 0x40], get(i), to, [op.i32GeS, 0x0d, 1], ...body, set(i, get(i), step, [op.i32Add]), [0x0c, 0, 0x0b, 0x0b]);
}

// softmax(p, count, last, flag): each run of `last` doubles (even) from byte offset p, count in
// all: x = exp(x - max) / sum. At byte offset `flag`, two doubles: NaN (all bits of a true mask)
// where every shifted entry was in [-708, 0], else 0 (some entry was below, NaN or infinite: the
// caller then keeps its own values). Pairs of a run summed lane-wise, then the two lanes.
function softmaxBody(): Bytes {
  const [p, count, last, flag, off, end, q] = [0, 1, 2, 3, 4, 5, 6];
  const [x, m, s, ok, k, r, r2, r4, r8] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const rowBytes = cat(get(last), i32(8), [op.i32Mul]);
  return cat(
    set(ok, f64x2(NaN)),
    loopBy(off, get(p), cat(get(p), get(count), i32(8), [op.i32Mul], [op.i32Add]), rowBytes,
      set(end, get(off), rowBytes, [op.i32Add]),
      set(m, f64x2(-Infinity)),
      loop(q, get(off), get(end), 16, set(m, get(m), vLoad(get(q)), MAX)),
      set(m, get(m), lane64(0), get(m), lane64(1), [F64_MAX], V.splat),
      set(s, f64x2(0)),
      loop(q, get(off), get(end), 16,
        set(x, vLoad(get(q)), get(m), V.sub),
        set(ok, get(ok), get(x), f64x2(-708), V.ge, vOp.and),
        set(x, expV(x, k, r, r2, r4, r8)),
        vStore(get(q), get(x)),
        set(s, get(s), get(x), V.add),
      ),
      set(s, get(s), lane64(0), get(s), lane64(1), [op.f64Add], V.splat),
      loop(q, get(off), get(end), 16, vStore(get(q), cat(vLoad(get(q)), get(s), DIV))),
    ),
    vStore(get(flag), get(ok)),
  );
}

interface ExpExports {
  readonly memory: WebAssembly.Memory;
  exp(p: number, count: number): void;
  softmax(p: number, count: number, last: number, flag: number): void;
}

let mod: WebAssembly.Module | null | undefined;

function build(bytes: number): ExpExports | null {
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(
        buildModule([
          { name: 'exp', params: 2, locals: [[I32, 1], [V128, 12]], body: expBody() },
          { name: 'softmax', params: 4, locals: [[I32, 3], [V128, 9]], body: softmaxBody() },
        ]),
      );
    } catch {
      mod = null;
    }
  }
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  const ex = inst.exports as unknown as ExpExports;
  return { memory, exp: ex.exp, softmax: ex.softmax };
}

const heap = wasmHeap(build);

/**
 * x[i] = exp(x[i]) for i < n, for inputs in [EXP_WASM_MIN, 0] (others come out wrong: the
 * caller checks); false (nothing written) where wasm SIMD is unavailable.
 */
export function expInPlaceWasm(x: Float64Array, n: number = x.length): boolean {
  const np = n + (n & 1);
  const got = heap(np * 8);
  if (!got) return false;
  const { w, h } = got;
  h.set(n === x.length ? x : x.subarray(0, n));
  if (np > n) h[n] = 0;
  w.exp(0, np);
  x.set(h.subarray(0, n));
  return true;
}

/**
 * Softmax of each run of `last` entries of v[0, n) in place (exp(x - max) / sum, as latent-fn.ts's
 * toNatural, the sums in another order); false (v untouched) where `last` is odd, wasm SIMD is
 * unavailable, or some shifted entry falls outside [EXP_WASM_MIN, 0] (NaN, infinities, a run's
 * entries far below its max): the caller's loops then run.
 */
export function softmaxInPlaceWasm(v: Float64Array, n: number, last: number): boolean {
  if (last % 2 !== 0 || n % last !== 0) return false;
  const got = heap((n + 2) * 8);
  if (!got) return false;
  const { w, h } = got;
  h.set(n === v.length ? v : v.subarray(0, n));
  w.softmax(0, n, last, n * 8);
  if (!(Number.isNaN(h[n]!) && Number.isNaN(h[n + 1]!))) return false;
  v.set(h.subarray(0, n));
  return true;
}
