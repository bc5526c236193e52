// exp of a float64 array in place in WebAssembly SIMD (f64x2): the softmax of the integral
// circuits' simplex outputs (circuits/integral/latent-transforms.ts). wasm-simd-math.ts's expV
// (reduction by ln 2, degree-13 polynomial, 2^k from the bits): a few ulp from Math.exp on
// [-708, 0]; entries outside it (or NaN) are the caller's to redo with Math.exp.
import { buildModule, get, I32, i32, loop, add, set, V128, vLoad, vStore, type Bytes } from './wasm-asm.js';
import { cat, expV } from './wasm-simd-math.js';
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

interface ExpExports {
  readonly memory: WebAssembly.Memory;
  exp(p: number, count: number): void;
}

let mod: WebAssembly.Module | null | undefined;

function build(bytes: number): ExpExports | null {
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(buildModule([{ name: 'exp', params: 2, locals: [[I32, 1], [V128, 12]], body: expBody() }]));
    } catch {
      mod = null;
    }
  }
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return { memory, exp: (inst.exports as unknown as ExpExports).exp };
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
