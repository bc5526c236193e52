// The control block of the fused diagonal-GMM E-step (gmm-diag-engine.ts) shared by the calling
// thread and its worker threads, and the worker's source. One job = one E-step over all rows,
// split into TOTAL slots (one per participating thread) of whole row blocks; slot s always
// covers the same rows and writes only its own accumulator, and the caller sums the slots'
// accumulators in slot order: the result depends on the thread count, never on which thread
// ran which slot (or on timing).
//
// Protocol: the caller writes the job's words (J_*) and the inputs, DONE = 0, then publishes
// WORK = gen << 16 | total << 8 | 0, bumps GEN and wakes the workers. Every participant
// (caller included) claims slots by compare-and-swap on WORK (slot < total), runs them and
// adds 1 to DONE; the caller then waits for DONE = total. A worker that wakes late finds WORK
// exhausted (or already a newer job, whose words were all written before it was published):
// it can only ever claim a slot of a job whose inputs are complete. A worker whose kernel throws
// sets ERR (the caller then redoes the E-step on the reference path) and still counts DONE.
// Workers block in Atomics.wait between jobs and are unref'ed: they never keep the process alive.

export const CTL_BYTES = 256;
export const W = {
  GEN: 0,
  WORK: 1,
  DONE: 2,
  ERR: 3,
  READY: 4,
  X: 8,
  RW: 9,
  MU: 10,
  P: 11,
  C: 12,
  G: 13,
  M: 14,
  S: 15,
  SLOT0: 16,
  STRIDE: 17,
  YOFF: 18,
  ACCOFF: 19,
  N: 20,
  D: 21,
  KP: 22,
  JP: 23,
} as const;

/** Rows [i0, i1) of slot s out of total: whole blocks of `block` rows, split evenly. */
export function slotRows(n: number, block: number, s: number, total: number): [number, number] {
  const nb = Math.ceil(n / block);
  return [Math.min(n, Math.floor((nb * s) / total) * block), Math.min(n, Math.floor((nb * (s + 1)) / total) * block)];
}

/** Runs slot s of the job described by ctl (the caller and the workers alike). */
export function runSlot(ex: { estep: (...a: number[]) => void }, memory: WebAssembly.Memory, ctl: Int32Array, s: number, total: number, block: number): void {
  const W_ = { X: 8, RW: 9, MU: 10, P: 11, C: 12, G: 13, M: 14, S: 15, SLOT0: 16, STRIDE: 17, YOFF: 18, ACCOFF: 19, N: 20, D: 21, KP: 22, JP: 23 };
  const [i0, i1] = slotRows(ctl[W_.N]!, block, s, total);
  const base = ctl[W_.SLOT0]! + s * ctl[W_.STRIDE]!;
  const y = base + ctl[W_.YOFF]!;
  const acc = base + ctl[W_.ACCOFF]!;
  const kp = ctl[W_.KP]!;
  const jp = ctl[W_.JP]!;
  // y's padding columns must be 0; acc starts at 0.
  new Float64Array(memory.buffer).fill(0, y / 8, acc / 8 + jp * kp);
  ex.estep(ctl[W_.X]!, ctl[W_.RW]!, ctl[W_.MU]!, ctl[W_.P]!, ctl[W_.C]!, ctl[W_.G]!, ctl[W_.M]!, ctl[W_.S]!, base, y, acc, i0, i1, ctl[W_.D]!, kp, jp, acc + jp * kp * 8);
}

/** Claims and runs slots of the current job until none is left; returns how many this thread ran. */
export function help(ex: { estep: (...a: number[]) => void }, memory: WebAssembly.Memory, ctl: Int32Array, block: number, onError: () => void): number {
  let ran = 0;
  for (;;) {
    const w = Atomics.load(ctl, 1);
    const total = (w >>> 8) & 255;
    const s = w & 255;
    if (s >= total) return ran;
    if (Atomics.compareExchange(ctl, 1, w, w + 1) !== w) continue;
    try {
      runSlot(ex, memory, ctl, s, total, block);
    } catch {
      Atomics.store(ctl, 3, 1);
      onError();
    }
    ran++;
    Atomics.add(ctl, 2, 1);
    Atomics.notify(ctl, 2);
  }
}

/** The worker's whole program (run with { eval: true }; workerData = { memory, module, block }). */
export const WORKER_SRC = `
// CommonJS or ESM alike (node --input-type=module makes eval'ed workers ESM): no require.
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { memory, module, block } = workerData;
const ctl = new Int32Array(memory.buffer, 0, ${CTL_BYTES / 4});
const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
${slotRows.toString()}
${runSlot.toString()}
${help.toString()}
let seen = Atomics.load(ctl, ${W.GEN});
Atomics.add(ctl, ${W.READY}, 1);
for (;;) {
  Atomics.wait(ctl, ${W.GEN}, seen);
  seen = Atomics.load(ctl, ${W.GEN});
  help(ex, memory, ctl, block, () => {});
}
`;
