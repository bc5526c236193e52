// One lazily built WebAssembly instance per kernel module, whose memory grows on demand.
// null means "use the reference loops": no wasm SIMD here, too many bytes, or out of memory.

export interface WithMemory {
  readonly memory: WebAssembly.Memory;
}

export type Heap<T> = (bytes: number) => { w: T; h: Float64Array } | null;

export function wasmHeap<T extends WithMemory>(build: (bytes: number) => T | null, maxBytes = Infinity): Heap<T> {
  let inst: T | null | undefined;
  return (bytes) => {
    if (bytes > maxBytes) return null;
    try {
      if (inst === undefined) inst = build(bytes);
      if (inst === null) return null;
      const have = inst.memory.buffer.byteLength;
      if (have < bytes) inst.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null; // out of memory: the caller runs the reference loops
    }
    // A fresh view: growing detaches the old buffer.
    return { w: inst, h: new Float64Array(inst.memory.buffer) };
  };
}
