// WebAssembly SIMD for the kernel density direct sum (families/kde/direct-wasm.ts drives it):
// sqdist writes -|q - z|^2 / 2 for a block of queries against a block of training rows stored
// transposed; the block's log-sum-exp is mixture-wasm.ts's lse over the same memory. Kept here
// because WebAssembly is compiled only under runtime/kernels (test/safety).
import { mixtureWasm, type MixtureWasm } from './mixture-wasm.js';
import { add, buildModule, f64x2, f64x2Op as V, get, I32, i32, loop, mul, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from './wasm-asm.js';
import { wasmHeap } from './wasm-heap.js';

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

export interface KdeWasm extends MixtureWasm {
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

/** The instance (memory growing on demand) used by families/kde/direct-wasm.ts. */
export const kdeSumHeap = wasmHeap(kdeWasm);
