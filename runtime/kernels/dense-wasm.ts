// The matmul of the integral circuits' nets (stdlib/nets/dense-net.ts) in WebAssembly SIMD
// (f64x2), emitted at run time by wasm-asm.ts: C[m x n] += A[m x k] B[k x n], row-major,
// 4 rows x 4 columns of C in 8 v128 accumulators (FMA where relaxed SIMD is available), every
// loaded B pair used by 4 rows and every A value (splatted) by 4 columns. float64, not
// float32: the nets feed sum weights and leaf parameters whose gradients must match the JS
// reference to 1e-12, and f64x2 with FMA already runs at the 15 GFLOP/s goal.
// The operands are copied into one growing memory per call (O(mk + kn + mn) against O(mnk)
// multiply-adds); m and n are padded to multiples of 4 with zeros, k is not padded.
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, f64x2Op, f64x2RelaxedMadd, f64x2Zero, get, I32, i32, loop, mul, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from './wasm-asm.js';
import { wasmHeap } from './wasm-heap.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);

/** acc = a * b + acc, fused when `fma`. */
const madd = (fma: boolean, acc: number, a: Bytes, b: Bytes): Bytes =>
  fma ? set(acc, a, b, get(acc), f64x2RelaxedMadd) : set(acc, get(acc), a, b, f64x2Op.mul, f64x2Op.add);

// gemm(a, b, c, m, k, n): byte offsets a, b, c; m and n multiples of 4.
function gemm(fma: boolean): Bytes {
  const [a, b, c, m, k, n] = [0, 1, 2, 3, 4, 5];
  const [r, j, t, tEnd, bp, k8, n8, cp] = [6, 7, 8, 9, 10, 11, 12, 13];
  const aq = [14, 15, 16, 17];
  const acc = [18, 19, 20, 21, 22, 23, 24, 25]; // acc[q * 2 + h]: row r + q, columns j + 2h, j + 2h + 1
  const [b0, b1, x] = [26, 27, 28];
  return v(
    set(k8, mul(get(k), i32(8))),
    set(n8, mul(get(n), i32(8))),
    loop(r, i32(0), get(m), 4,
      set(aq[0]!, add(get(a), mul(get(r), get(k8)))),
      ...[1, 2, 3].map((q) => set(aq[q]!, add(get(aq[q - 1]!), get(k8)))),
      set(tEnd, get(k8)),
      loop(j, i32(0), get(n), 4,
        ...acc.map((s) => set(s, f64x2Zero)),
        set(bp, add(get(b), mul(get(j), i32(8)))),
        loop(t, i32(0), get(tEnd), 8,
          set(b0, vLoad(get(bp))),
          set(b1, vLoad(get(bp), 16)),
          ...[0, 1, 2, 3].flatMap((q) => [set(x, vLoadSplat64(add(get(aq[q]!), get(t)))), madd(fma, acc[q * 2]!, get(x), get(b0)), madd(fma, acc[q * 2 + 1]!, get(x), get(b1))]),
          set(bp, add(get(bp), get(n8))),
        ),
        set(cp, add(get(c), mul(add(mul(get(r), get(n)), get(j)), i32(8)))),
        ...[0, 1, 2, 3].flatMap((q) => [
          ...[0, 1].map((h) => vStore(get(cp), v(vLoad(get(cp), h * 16), get(acc[q * 2 + h]!), f64x2Op.add), h * 16)),
          set(cp, add(get(cp), get(n8))),
        ]),
      ),
    ),
  );
}

interface DenseExports {
  readonly memory: WebAssembly.Memory;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number): void;
}

const modules = new Map<boolean, WebAssembly.Module | null>();

function denseModule(fma: boolean): WebAssembly.Module | null {
  let mod = modules.get(fma);
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(buildModule([{ name: 'gemm', params: 6, locals: [[I32, 12], [V128, 11]], body: gemm(fma) }]));
    } catch {
      mod = null; // no wasm SIMD here
    }
    modules.set(fma, mod);
  }
  return mod;
}

function build(bytes: number, fma = fmaAvailable()): DenseExports | null {
  const mod = denseModule(fma);
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return { memory, gemm: (inst.exports as unknown as DenseExports).gemm };
}

const heaps = new Map<boolean, ReturnType<typeof wasmHeap<DenseExports>>>();

const round4 = (x: number): number => (x + 3) & ~3;

/**
 * out[m x n] += A[m x k] B[k x n] (row-major Float64Arrays) in wasm SIMD; false (nothing
 * done) where wasm SIMD or the memory is unavailable, so the caller runs its JS loops.
 * `fma` picks the fused kernel (default: where the engine has relaxed SIMD).
 */
export function denseMatMulWasm(A: Float64Array, B: Float64Array, m: number, k: number, n: number, out: Float64Array, fma = fmaAvailable()): boolean {
  if (m === 0 || n === 0) return true;
  const mp = round4(m);
  const np = round4(n);
  // Layout (doubles): A [mp x k], B [k x np], C [mp x np].
  const oa = 0;
  const ob = oa + mp * k;
  const oc = ob + k * np;
  const total = oc + mp * np;
  let heap = heaps.get(fma);
  if (!heap) heaps.set(fma, (heap = wasmHeap((bytes) => build(bytes, fma))));
  const got = heap(total * 8);
  if (!got) return false;
  const { w, h } = got;
  h.set(A.subarray(0, m * k), oa);
  h.fill(0, oa + m * k, ob);
  if (np === n) {
    h.set(B.subarray(0, k * n), ob);
    h.set(out.subarray(0, m * n), oc);
  } else {
    // Narrow rows (the nets' output layers have a few columns): element loops, no subarrays.
    padRows(B, k, n, h, ob, np);
    padRows(out, m, n, h, oc, np);
  }
  h.fill(0, oc + m * np, total);
  w.gemm(oa * 8, ob * 8, oc * 8, mp, k, np);
  if (np === n) out.set(h.subarray(oc, oc + m * n));
  else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = h[oc + i * np + j]!;
  return true;
}

/** h[o + i * np + j] = src[i * n + j] for j < n, 0 for n <= j < np. */
function padRows(src: Float64Array, rows: number, n: number, h: Float64Array, o: number, np: number): void {
  for (let i = 0; i < rows; i++) {
    const so = i * n;
    const ho = o + i * np;
    for (let j = 0; j < n; j++) h[ho + j] = src[so + j]!;
    for (let j = n; j < np; j++) h[ho + j] = 0;
  }
}
