// What a forward pass keeps of each dense sum node for the backward pass that follows it (the
// wasm sum layer's E = exp(A - m) and linear sums, kernels/sum-layer-fast.ts SumNodeKept), so
// the backward needs no exp. Both are functions of the node's input A and output values alone
// (the backward's weights enter only its matmuls, as in the reference), held per node output
// array: keyed by its buffer, checked by offset and length (the worker threads see the shared
// arrays as fresh views each pass). Every forward that writes a sum node's output either keeps
// anew or drops the entry, so an entry always belongs to the output's current contents.
import type { SumNodeKept } from './kernels/sum-layer-fast.js';

interface Entry extends SumNodeKept {
  readonly offset: number;
  readonly length: number;
}

const entries = new WeakMap<ArrayBufferLike, Entry>();

/** Arrays for a forward pass to keep into (the previous entry's where the sizes match). */
export function keepFor(out: Float64Array, n: number, U: number, I: number): SumNodeKept {
  const old = entries.get(out.buffer);
  const fits = old && old.E.length === n * I && old.O.length === n * U;
  const e: Entry = { offset: out.byteOffset, length: out.length, E: fits ? old.E : new Float64Array(n * I), O: fits ? old.O : new Float64Array(n * U) };
  entries.set(out.buffer, e);
  return e;
}

/** What the last forward kept for this output array, when the sizes match. */
export function keptFor(out: Float64Array, n: number, U: number, I: number): SumNodeKept | undefined {
  const e = entries.get(out.buffer);
  if (!e || e.offset !== out.byteOffset || e.length !== out.length || e.E.length !== n * I || e.O.length !== n * U) return undefined;
  return e;
}

/** Forgets what was kept for this output array (a forward wrote it without keeping). */
export function dropKept(out: Float64Array): void {
  entries.delete(out.buffer);
}
