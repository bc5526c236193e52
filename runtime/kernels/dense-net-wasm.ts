// A whole dense net's forward and backward pass in one WebAssembly memory (the integral
// circuits' nets, stdlib/nets/dense-net.ts's `net` hooks): weights, activations and
// gradients stay in wasm between the layers, bias and sin/cos are fused after each matmul,
// x^T gz runs without a transpose (gemm_tn, in blocks of 128 rows that stay in L2), and
// gz = gy cos z with gb in one wasm pass.
// Each forward's activations stay resident in an arena (offsets remembered per trace) until
// the arena fills and starts over; the backward of a resident trace copies in only x (kept by
// the caller; each pass copies it to the warm scratch above the arena), and its trace's JS
// arrays are only made when read (ResidentTrace).
// Layout: every width padded to 4 with zero weights, bias and gradient columns (so padded
// columns hold 0 after linear layers and sin 0 = 0 after sin layers), rows padded to 4 with
// zero gradient rows. Declines (null: the caller runs its reference loops) for tanh / relu
// layers, without wasm SIMD, or when memory is short.
import { denseForward, type DenseGrads, type DenseLayerValues, type DenseTrace } from '../../stdlib/nets/dense-net.js';
import { denseNetModuleBytes, type DenseNetExports } from './dense-net-wasm-module.js';
import { fmaAvailable } from './wasm-features.js';
import { allNear, SINCOS_LIMIT, SINCOS_SCRATCH_BYTES } from './sincos-wasm.js';

/** The JS reference forward (no kernels): recomputes an evicted trace. */
const denseForwardReference = (layers: readonly DenseLayerValues[], x: Float64Array, rows: number): DenseTrace => denseForward(layers, x, rows).trace;

const round4 = (x: number): number => (x + 3) & ~3;
/** Rows per gemm_tn call (measured 64, 128, 256 at 32-128 units: 128 best). */
const TN_BLOCK_ROWS = 128;
/**
 * The arena: two regions of this many doubles (32 MiB each). Forwards fill one region, then
 * the other, which starts over (its traces evicted): a trace stays resident for at least one
 * region's worth of later forwards (a few steps of the digits PIC). Backward's scratch lies above both.
 */
const HALF = 4 * 2 ** 20;

interface Resident {
  /** The regions the trace occupies (bit r: region r) and their generations when it was made. */
  readonly mask: number;
  readonly gens: readonly [number, number];
  /**
   * Double offsets of each layer's input (l = 0..L-1; inputs[0] is -1: x is not kept in the
   * arena but copied to the scratch by each pass, a copy into warm memory instead of one into
   * the arena's cold lines) and derivative (sin layers, else -1).
   */
  readonly inputs: readonly number[];
  /** The caller's x (unchanged until backward, as the contract says). */
  readonly x: Float64Array;
  readonly deriv: readonly number[];
}

interface Engine {
  readonly w: DenseNetExports;
  h: Float64Array;
  /** Next free double, the region forwards fill now, each region's generation (bumped when it starts over). */
  top: number;
  cur: 0 | 1;
  readonly gens: [number, number];
  readonly resident: WeakMap<DenseTrace, Resident>;
}

const engines = new Map<boolean, Engine | null>();

function engine(wantFma: boolean): Engine | null {
  const fma = wantFma && fmaAvailable(); // also turns relaxed SIMD on in V8 where it is behind a flag
  let e = engines.get(fma);
  if (e === undefined) {
    try {
      const mod = new WebAssembly.Module(denseNetModuleBytes(fma));
      const memory = new WebAssembly.Memory({ initial: 16 });
      const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
      const w = { ...(inst.exports as unknown as DenseNetExports), memory };
      e = { w, h: new Float64Array(memory.buffer), top: 0, cur: 0, gens: [0, 0], resident: new WeakMap() };
    } catch {
      e = null; // no wasm SIMD here
    }
    engines.set(fma, e);
  }
  return e;
}

/** Grows the memory to hold `doubles` (false: out of memory). */
function ensure(e: Engine, doubles: number): boolean {
  const need = doubles * 8 + 64;
  try {
    const have = e.w.memory.buffer.byteLength;
    if (have < need) e.w.memory.grow(Math.ceil((need - have) / 65536));
  } catch {
    return false;
  }
  if (e.h.buffer !== e.w.memory.buffer) e.h = new Float64Array(e.w.memory.buffer);
  return true;
}

/** Room for a forward's `doubles`: its offset and residency, or null (out of memory). */
function reserveForward(e: Engine, doubles: number): { base: number; at: Pick<Resident, 'mask' | 'gens'> } | null {
  let base: number;
  let mask: number;
  if (doubles > HALF) {
    // Larger than a region: both start over; it runs from 0 into region 1, forwards go on after it.
    e.gens[0]++;
    e.gens[1]++;
    e.cur = 1;
    base = 0;
    mask = 3;
  } else {
    if (e.top + doubles > (e.cur + 1) * HALF) {
      e.cur = e.cur === 0 ? 1 : 0;
      e.gens[e.cur]++;
      e.top = e.cur * HALF;
    }
    base = e.top;
    mask = 1 << e.cur;
  }
  if (!ensure(e, base + doubles)) return null;
  e.top = base + doubles;
  return { base, at: { mask, gens: [e.gens[0], e.gens[1]] } };
}

const isResident = (e: Engine, at: Pick<Resident, 'mask' | 'gens'>): boolean =>
  (!(at.mask & 1) || at.gens[0] === e.gens[0]) && (!(at.mask & 2) || at.gens[1] === e.gens[1]);

/** Scratch (backward's, and forward's copy of x), above both regions and any forward's end (left as it is: nothing resident moves). */
function reserveScratch(e: Engine, doubles: number): number {
  const base = Math.max(2 * HALF, e.top);
  return ensure(e, base + doubles) ? base : -1;
}

const supported = (layers: readonly DenseLayerValues[]): boolean => layers.every((l) => l.activation === 'sin' || l.activation === 'linear');

/** h[o + i * np + j] = src[i * n + j] (j < n), 0 for n <= j < np, rows..rowsP-1 zero. */
function putPadded(h: Float64Array, o: number, src: Float64Array, rows: number, n: number, np: number, rowsP: number): void {
  if (np === n) h.set(src.subarray(0, rows * n), o);
  else {
    for (let i = 0; i < rows; i++) {
      const so = i * n;
      const ho = o + i * np;
      for (let j = 0; j < n; j++) h[ho + j] = src[so + j]!;
      for (let j = n; j < np; j++) h[ho + j] = 0;
    }
  }
  h.fill(0, o + rows * np, o + rowsP * np);
}

/** dst[i * n + j] = h[o + i * np + j]. */
function getPadded(h: Float64Array, o: number, dst: Float64Array, rows: number, n: number, np: number): void {
  if (np === n) dst.set(h.subarray(o, o + rows * n));
  else for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) dst[i * n + j] = h[o + i * np + j]!;
}

/** A layer's weights [p_in x p_out] (zero padded) at o. */
function putWeights(h: Float64Array, o: number, layer: DenseLayerValues, pin: number, pout: number): void {
  putPadded(h, o, layer.w, layer.inputs, layer.outputs, pout, pin);
}

/** The transposed weights [p_out x p_in] at o (for gx = gz W^T). */
function putWeightsT(h: Float64Array, o: number, layer: DenseLayerValues, pin: number, pout: number): void {
  const { w, inputs: nin, outputs: nout } = layer;
  if (nin !== pin || nout !== pout) h.fill(0, o, o + pin * pout); // padding only: the loop writes every entry otherwise
  for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) h[o + j * pin + i] = w[i * nout + j]!;
}

/**
 * A forward pass's trace whose arrays stay in wasm: read (copied out) only when someone asks
 * for them, e.g. the JS backward; once the arena has started over, recomputed by the JS
 * reference from x and the layers (which, like x, the caller leaves unchanged until backward).
 * Allocating the arrays eagerly cost more than the layer's matmuls (fresh 256 KiB arrays).
 */
class ResidentTrace implements DenseTrace {
  private arrays?: { inputs: Float64Array[]; pre: Float64Array[]; deriv?: (Float64Array | undefined)[] };

  constructor(
    readonly rows: number,
    private readonly e: Engine,
    readonly at: Resident & { readonly pre: readonly number[]; readonly widths: readonly number[] },
    private readonly layers: readonly DenseLayerValues[],
    readonly x: Float64Array,
    private readonly y: Float64Array,
    private readonly fma: boolean,
  ) {}

  get inputs(): readonly Float64Array[] {
    return this.materialize().inputs;
  }

  get pre(): readonly Float64Array[] {
    return this.materialize().pre;
  }

  get deriv(): readonly (Float64Array | undefined)[] | undefined {
    return this.materialize().deriv;
  }

  private materialize(): NonNullable<ResidentTrace['arrays']> {
    if (this.arrays) return this.arrays;
    const { e, at, layers, rows } = this;
    if (!isResident(e, at)) {
      // Evicted: run the forward again (in wasm where it can) and read that.
      const again = denseNetForwardWasm(layers, this.x, rows, this.fma);
      const t = again ? again.trace : denseForwardReference(layers, this.x, rows);
      return (this.arrays = { inputs: [...t.inputs], pre: [...t.pre], ...(t.deriv ? { deriv: [...t.deriv] } : {}) });
    }
    const L = layers.length;
    const read = (o: number, l: number): Float64Array => {
      const a = new Float64Array(rows * layers[l]!.outputs);
      getPadded(e.h, o, a, rows, layers[l]!.outputs, at.widths[l + 1]!);
      return a;
    };
    const pre = layers.map((_, l) => (l === L - 1 && layers[l]!.activation === 'linear' ? this.y : read(at.pre[l]!, l)));
    const inputs = [this.x, ...layers.map((layer, l) => (l === L - 1 ? this.y : layer.activation === 'linear' ? pre[l]! : read(at.inputs[l + 1]!, l)))];
    const deriv = at.deriv.map((o, l) => (o >= 0 ? read(o, l) : undefined));
    return (this.arrays = { inputs, pre, ...(deriv.some((d) => d) ? { deriv } : {}) });
  }
}

/** The forward pass in wasm, or null (declined). Same contract as denseForward. */
export function denseNetForwardWasm(layers: readonly DenseLayerValues[], x: Float64Array, rows: number, fma = fmaAvailable()): { y: Float64Array; trace: DenseTrace } | null {
  if (!supported(layers) || rows === 0) return null;
  const e = engine(fma);
  if (!e) return null;
  const L = layers.length;
  const rp = round4(rows);
  const p = [round4(layers[0]!.inputs), ...layers.map((l) => round4(l.outputs))];
  const scratchDoubles = SINCOS_SCRATCH_BYTES / 8; // sincos's far flags and constants' table
  let total = scratchDoubles;
  for (let l = 0; l < L; l++) total += p[l]! * p[l + 1]! + p[l + 1]! + rp * p[l + 1]! * (layers[l]!.activation === 'sin' ? 3 : 1);
  const got = reserveForward(e, total);
  if (!got) return null;
  // x goes to the scratch above the arena (warm: every pass copies its x there), not into the trace.
  const xs = reserveScratch(e, rp * p[0]!);
  if (xs < 0) return null;
  const h = e.h;
  let o = got.base;
  const scratch = o;
  o += scratchDoubles;
  const inputs: number[] = [-1];
  putPadded(h, xs, x, rows, layers[0]!.inputs, p[0]!, rp);
  const deriv: number[] = [];
  const pre: number[] = [];
  for (let l = 0; l < L; l++) {
    const layer = layers[l]!;
    const [pin, pout] = [p[l]!, p[l + 1]!];
    const ow = o;
    putWeights(h, ow, layer, pin, pout);
    const ob = ow + pin * pout;
    putPadded(h, ob, layer.b, 1, layer.outputs, pout, 1);
    const oz = ob + pout;
    e.w.gemm_bias((l === 0 ? xs : inputs[l]!) * 8, ow * 8, oz * 8, rp, pin, pout, ob * 8);
    o = oz + rp * pout;
    pre.push(oz);
    if (layer.activation === 'sin') {
      const [oy, od] = [o, o + rp * pout];
      o = od + rp * pout;
      e.w.sincos(oz * 8, oy * 8, od * 8, rp * pout, scratch * 8);
      // Far or non-finite pre-activations: Math's sin and cos (the wasm reduction is not exact there).
      if (!allNear(e.w.memory, scratch * 8)) {
        for (let k = 0; k < rp * pout; k++) {
          const zk = h[oz + k]!;
          if (!(Math.abs(zk) < SINCOS_LIMIT)) {
            h[oy + k] = Math.sin(zk);
            h[od + k] = Math.cos(zk);
          }
        }
      }
      inputs.push(oy);
      deriv.push(od);
    } else {
      inputs.push(oz);
      deriv.push(-1);
    }
  }
  const y = new Float64Array(rows * layers[L - 1]!.outputs);
  getPadded(h, inputs[L]!, y, rows, layers[L - 1]!.outputs, p[L]!);
  const trace = new ResidentTrace(rows, e, { ...got.at, inputs, deriv, pre, widths: p, x }, layers, x, y, fma);
  e.resident.set(trace, trace.at);
  return { y, trace };
}

/**
 * The backward pass in wasm, or null (declined). Same contract as denseBackward: += into
 * grads, returns dL/dx. A trace still resident in the arena is read in place; any other
 * (an older one, or one from the JS forward) is copied in.
 */
export function denseNetBackwardWasm(layers: readonly DenseLayerValues[], trace: DenseTrace, gy: Float64Array, grads: readonly DenseGrads[], fma = fmaAvailable()): Float64Array | null {
  if (!supported(layers) || trace.rows === 0) return null;
  const e = engine(fma);
  if (!e) return null;
  const L = layers.length;
  const rows = trace.rows;
  const rp = round4(rows);
  const p = [round4(layers[0]!.inputs), ...layers.map((l) => round4(l.outputs))];
  const pmax = Math.max(...p);
  if ((trace instanceof ResidentTrace ? trace.at.pre.length : trace.pre.length) !== L) throw new Error('denseBackward: the trace is from a different net');
  let kept = e.resident.get(trace);
  if ((!kept || !isResident(e, kept)) && trace instanceof ResidentTrace) {
    // Evicted from the arena: the forward again in wasm (a third of the work) beats copying it in.
    const again = denseNetForwardWasm(layers, trace.x, rows, fma);
    if (again) kept = e.resident.get(again.trace);
  }
  const resident = kept !== undefined && isResident(e, kept);
  let total = 2 * rp * pmax + (resident ? rp * p[0]! : 0);
  for (let l = 0; l < L; l++) total += 2 * p[l]! * p[l + 1]! + p[l + 1]! + (resident ? 0 : rp * (p[l]! + (layers[l]!.activation === 'sin' ? p[l + 1]! : 0)));
  const base = reserveScratch(e, total);
  if (base < 0) return null;
  const h = e.h;
  let o = base;
  let inputs = kept?.inputs;
  let deriv = kept?.deriv;
  if (!resident) {
    const ins: number[] = [];
    const ds: number[] = [];
    for (let l = 0; l < L; l++) {
      putPadded(h, o, trace.inputs[l]!, rows, layers[l]!.inputs, p[l]!, rp);
      ins.push(o);
      o += rp * p[l]!;
      const d = trace.deriv?.[l];
      if (layers[l]!.activation === 'sin') {
        // A JS forward kept no cos z: take it from the pre-activations.
        putPadded(h, o, d ?? trace.pre[l]!.map(Math.cos), rows, layers[l]!.outputs, p[l + 1]!, rp);
        ds.push(o);
        o += rp * p[l + 1]!;
      } else ds.push(-1);
    }
    inputs = ins;
    deriv = ds;
  } else {
    // x again from the caller's array (the arena keeps only the layers' outputs).
    putPadded(h, o, kept!.x, rows, layers[0]!.inputs, p[0]!, rp);
    inputs = [o, ...inputs!.slice(1)];
    o += rp * p[0]!;
  }
  let g = o;
  let g2 = g + rp * pmax;
  o = g2 + rp * pmax;
  putPadded(h, g, gy, rows, layers[L - 1]!.outputs, p[L]!, rp);
  for (let l = L - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const slot = grads[l]!;
    const [pin, pout] = [p[l]!, p[l + 1]!];
    const ogw = o;
    const ogb = ogw + pin * pout;
    const owt = ogb + pout;
    o = owt + pin * pout;
    h.fill(0, ogw, owt);
    // gz = gy cos z (sin layers) and gb = colsum(gz) in one pass; padded rows of g are zero.
    if (deriv![l]! >= 0) e.w.gzsum(g * 8, deriv![l]! * 8, ogb * 8, rp, pout);
    else e.w.colsum(g * 8, ogb * 8, rows, pout);
    // gw += x^T gz in blocks of rows: a block of x and gz stays in L2 while every 4 x 4 tile of
    // gw sweeps it (one sweep over all rows refetched both per tile: 17 -> 22 GF/s at 128 units).
    for (let r0 = 0; r0 < rows; r0 += TN_BLOCK_ROWS) {
      e.w.gemm_tn((inputs![l]! + r0 * pin) * 8, (g + r0 * pout) * 8, ogw * 8, pin, Math.min(TN_BLOCK_ROWS, rows - r0), pout, 0);
    }
    putWeightsT(h, owt, layer, pin, pout);
    e.w.gemm_set(g * 8, owt * 8, g2 * 8, rp, pout, pin, 0);
    const { inputs: nin, outputs: nout } = layer;
    for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) slot.w[i * nout + j] += h[ogw + i * pout + j]!;
    for (let j = 0; j < nout; j++) slot.b[j] += h[ogb + j]!;
    [g, g2] = [g2, g];
  }
  const gx = new Float64Array(rows * layers[0]!.inputs);
  getPadded(h, g, gx, rows, layers[0]!.inputs, p[0]!);
  return gx;
}
