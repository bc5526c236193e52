// The O(n^3) part of the blocked Cholesky (cholesky.ts) in WebAssembly SIMD (f64x2): the
// trailing update A[i, j] -= dot(A[i, k0:k0+kb], A[j, k0:k0+kb]) over a row-major matrix
// with padded stride np, 4 rows x 2 columns of dot products at a time (8 accumulators).
import { add, buildModule, f64Load, f64Store, f64x2Zero, get, I32, i32, lane64, loop, mul, op, set, V128, vLoad, vOp, type Bytes } from './wasm-asm.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);

// update(a, np, k0, kb, i0, iend): for i in [i0, iend) by 4, j in [i0, i + 4) by 2 (tiles
// that cross the diagonal also write above it, which the caller clears; rows and columns
// past n are zero padding).
function update(): Bytes {
  const [a, np, k0, kb, i0, iend, i, j, o, rowB, pi, pj, kbB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const acc = [13, 14, 15, 16, 17, 18, 19, 20];
  const [x0, x1, x2, x3, y0, y1] = [21, 22, 23, 24, 25, 26];
  const bases = [27, 28, 29, 30, 31, 32]; // row pointers of the tile: 4 of i, 2 of j
  const xs = [x0, x1, x2, x3];
  const ys = [y0, y1];
  const rowAddr = (r: Bytes): Bytes => add(get(a), mul(add(mul(r, get(np)), get(k0)), i32(8)));
  const at = (t: number): Bytes => add(get(bases[t]!), get(o));
  const cell = (q: number, r: number): Bytes => add(get(a), mul(add(mul(add(get(i), i32(q)), get(np)), add(get(j), i32(r))), i32(8)));
  return v(
    set(rowB, mul(get(np), i32(8))),
    set(kbB, mul(get(kb), i32(8))),
    loop(i, get(i0), get(iend), 4,
      set(pi, rowAddr(get(i))),
      loop(j, get(i0), add(get(i), i32(4)), 2,
        set(pj, rowAddr(get(j))),
        ...[0, 1, 2, 3].map((q) => set(bases[q]!, add(get(pi), mul(i32(q), get(rowB))))),
        ...[0, 1].map((r) => set(bases[4 + r]!, add(get(pj), mul(i32(r), get(rowB))))),
        ...acc.map((k) => set(k, f64x2Zero)),
        loop(o, i32(0), get(kbB), 16,
          ...xs.map((x, q) => set(x, vLoad(at(q)))),
          ...ys.map((y, r) => set(y, vLoad(at(4 + r)))),
          ...xs.flatMap((x, q) => ys.map((y, r) => set(acc[q * 2 + r]!, get(acc[q * 2 + r]!), get(x), get(y), vOp.f64x2Mul, vOp.f64x2Add))),
        ),
        ...[0, 1, 2, 3].flatMap((q) =>
          [0, 1].map((r) => f64Store(cell(q, r), v(f64Load(cell(q, r)), get(acc[q * 2 + r]!), lane64(0), get(acc[q * 2 + r]!), lane64(1), [op.f64Add], [op.f64Sub]))),
        ),
      ),
    ),
  );
}

export interface CholWasm {
  readonly memory: WebAssembly.Memory;
  update(a: number, np: number, k0: number, kb: number, i0: number, iend: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** An instance over a fresh memory of at least `bytes` bytes, or null without wasm SIMD. */
export function cholWasm(bytes: number): CholWasm | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(buildModule([{ name: 'update', params: 6, locals: [[I32, 7], [V128, 14], [I32, 6]], body: update() }]));
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
  return { memory, update: inst.exports['update'] as CholWasm['update'] };
}
