// The control block shared by the calling thread and the Cholesky worker threads, and the
// worker's source. The memory is one shared WebAssembly memory (a SharedArrayBuffer); its
// first CTL_BYTES hold the Int32 control words below, the rest the matrices (cholesky-wasm.ts).
//
// Protocol of one job (one factorization or one solve), the caller being participant 0:
//   caller:  writes the parameters, resets ARR/REL/WORK/STOP/ERR, opens JOIN (= 0), bumps GEN
//            and wakes the workers; a worker that wakes in time joins by incrementing JOIN.
//            The caller closes JOIN (= -1) at its first release: the job's threads are then
//            fixed, and workers that come later sit this job out.
//   phases:  every participant grabs work items (row blocks, column blocks) from WORK with
//            Atomics.add; a worker then "arrives" (ARR += 1) and waits until REL reaches the
//            next release number; the caller waits for all arrivals ("gather"), does its serial
//            part (the next diagonal block), resets WORK and releases (REL += 1), STOP = 1
//            telling the workers to quit the job (a non-positive pivot).
// A worker leaves a job (LEFT += 1) after its last arrival or on STOP; the caller waits for all
// of them before it resets the words for the next job (else a worker that has not yet seen the
// STOP release would read the next job's counters).
// A worker whose kernel throws sets ERR and keeps to the protocol; the caller then redoes the
// job on its own thread. Workers block in Atomics.wait between jobs and are unref'ed: they
// never keep the process alive.

export const CTL_BYTES = 256;
export const C = {
  GEN: 0,
  JOIN: 1,
  ARR: 2,
  REL: 3,
  WORK: 4,
  STOP: 5,
  ERR: 6,
  KIND: 7,
  N: 8,
  NP: 9,
  NB: 10,
  A: 11,
  P: 12,
  L: 13,
  INV: 14,
  B: 15,
  KP: 16,
  NCB: 17,
  /** Participants of the job (the caller included), set when JOIN closes. */
  TT: 18,
  /** How many workers may join the job. */
  MAXJ: 19,
  /** Workers started so far (each adds 1 once it runs). */
  READY: 20,
  /** Workers of the current job that have left it (the next job waits for all of them). */
  LEFT: 21,
  /** Rows of a solve (a multiple of 4, at most NP: a trailing sub-factor has fewer rows than its stride). */
  NR: 22,
  /** 1: the solve's B is stored column block by column block (fwdc / bwdc). */
  CBM: 23,
} as const;

export const KIND_CHOL = 1;
export const KIND_FWD = 2;
export const KIND_BWD = 3;
/** Row blocks (of 4 rows) per grab in the panel solve. */
export const TRSM_CHUNK = 8;
/** Spins on a control word before blocking in Atomics.wait. */
export const SPIN = 4000;

/** Column blocks [c0, c1) of participant t out of tt, for a solve with ncb column blocks. */
export function colRange(ncb: number, t: number, tt: number): [number, number] {
  return [Math.floor((ncb * t) / tt), Math.floor((ncb * (t + 1)) / tt)];
}

/** The worker's whole program (run with { eval: true }; workerData = { memory, port, id }). */
export const WORKER_SRC = `
// CommonJS or ESM alike (node --input-type=module makes eval'ed workers ESM): no require.
const { workerData, receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
const { memory, port } = workerData;
const C = ${JSON.stringify(C)};
const KIND_CHOL = ${KIND_CHOL}, KIND_FWD = ${KIND_FWD}, KIND_BWD = ${KIND_BWD}, TRSM_CHUNK = ${TRSM_CHUNK}, SPIN = ${SPIN};
const ctl = new Int32Array(memory.buffer, 0, ${CTL_BYTES / 4});
const kernels = new Map();
${colRange.toString()}
function drain() {
  for (let m; (m = receiveMessageOnPort(port)); ) {
    const { nb, module } = m.message;
    kernels.set(nb, new WebAssembly.Instance(module, { env: { mem: memory } }).exports);
  }
}
function waitRel(r) {
  for (let s = 0; s < SPIN && Atomics.load(ctl, C.REL) < r; s++);
  for (let v; (v = Atomics.load(ctl, C.REL)) < r; ) Atomics.wait(ctl, C.REL, v, 1000);
  return Atomics.load(ctl, C.STOP) === 0;
}
function arrive() {
  Atomics.add(ctl, C.ARR, 1);
  Atomics.notify(ctl, C.ARR);
}
let failed = false;
function guard(f) {
  if (failed) return;
  try { f(); } catch (e) { failed = true; Atomics.store(ctl, C.ERR, 1); }
}
function grab(ex, total, chunk, f) {
  if (!ex) return; // no kernels for this panel width (yet): the others take every item
  for (;;) {
    const s = Atomics.add(ctl, C.WORK, chunk);
    if (s >= total) return;
    guard(() => f(s, Math.min(total, s + chunk)));
  }
}
function chol(ex) {
  const n = ctl[C.N], np = ctl[C.NP], nb = ctl[C.NB], a = ctl[C.A], p = ctl[C.P], l = ctl[C.L], inv = ctl[C.INV];
  if (!waitRel(1)) return;
  let rel = 1;
  for (let k0 = 0; k0 + nb < n; k0 += nb) {
    const k1 = k0 + nb, nrb = (n - k1 + 3) >> 2;
    grab(ex, nrb, TRSM_CHUNK, (r0, r1) => ex.trsm(a, np, p, l, inv, k0, r0, r1));
    arrive();
    if (!waitRel(++rel)) return;
    grab(ex, nrb, 1, (r0, r1) => ex.syrk(a, np, p, k1, nrb - r1, nrb - r0));
    arrive();
    if (k1 + nb >= n) return;
    if (!waitRel(++rel)) return;
  }
}
function solve(ex, back) {
  if (!waitRel(1)) return;
  const ncb = ctl[C.NCB], tt = ctl[C.TT];
  grab(ex, tt, 1, (s) => {
    const [c0, c1] = colRange(ncb, s, tt);
    if (c1 > c0) (ctl[C.CBM] ? (back ? ex.bwdc : ex.fwdc) : back ? ex.bwd : ex.fwd)(ctl[C.L], ctl[C.NP], ctl[C.B], ctl[C.KP], ctl[C.INV], c0, c1, ctl[C.NR]);
  });
  arrive();
}
let seen = Atomics.load(ctl, C.GEN);
Atomics.add(ctl, C.READY, 1);
for (;;) {
  Atomics.wait(ctl, C.GEN, seen);
  seen = Atomics.load(ctl, C.GEN);
  let joined = false;
  for (let v; (v = Atomics.load(ctl, C.JOIN)) >= 0 && v < Atomics.load(ctl, C.MAXJ); ) {
    if (Atomics.compareExchange(ctl, C.JOIN, v, v + 1) === v) { joined = true; break; }
  }
  if (!joined) continue;
  failed = false;
  drain();
  const ex = kernels.get(ctl[C.NB]);
  if (ctl[C.KIND] === KIND_CHOL) chol(ex);
  else solve(ex, ctl[C.KIND] === KIND_BWD);
  Atomics.add(ctl, C.LEFT, 1);
  Atomics.notify(ctl, C.LEFT);
}
`;
