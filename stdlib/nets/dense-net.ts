// A tiny multilayer perceptron in Float64 with exact backprop: the small neural functions
// that parameterize integral units (PICs). Batched over rows: every matmul goes through one
// register-tiled kernel over contiguous rows and nothing is allocated per row, so 1e5 rows x
// 256 units run in seconds without tensors.

export type Activation = 'tanh' | 'relu' | 'sin' | 'linear';

/** w is row-major [inputs, outputs]: y[j] = act(b[j] + sum_i x[i] w[i * outputs + j]). */
export interface DenseLayerValues {
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation;
}

/** What the backward pass needs, per layer l: its input, pre-activation and output ([rows, width] each). */
export interface DenseTrace {
  readonly rows: number;
  /** inputs[0] is the caller's x (not copied: leave it unchanged until backward); inputs[l + 1] is layer l's output. */
  readonly inputs: readonly Float64Array[];
  /** Pre-activations; for a linear layer the same array as its output. */
  readonly pre: readonly Float64Array[];
  /** act'(pre) where forward computed it alongside (sin layers with a sinCos kernel: cos z). */
  readonly deriv?: readonly (Float64Array | undefined)[];
}

/** Gradient accumulators, laid out like the layer they belong to. */
export interface DenseGrads {
  readonly w: Float64Array;
  readonly b: Float64Array;
}

/**
 * out[m x n] += A[m x k] B[k x n], all row-major: a faster matmul the caller may pass in (the
 * runtime's wasm SIMD kernel, runtime/kernels/dense-wasm.ts). It returns false when it cannot
 * run (no wasm SIMD, no memory); the net then uses its own JS loops, the reference.
 */
export type MatMulAdd = (A: Float64Array, B: Float64Array, m: number, k: number, n: number, out: Float64Array) => boolean;

/** s = sin x and c = cos x at once (false: not done, the net calls Math.sin / Math.cos). */
export type SinCos = (x: Float64Array, s: Float64Array, c: Float64Array) => boolean;

/** Faster kernels a caller may pass in; each absent or declining one falls back to the JS reference. */
export interface DenseKernels {
  readonly matmul?: MatMulAdd;
  /** For `sin` layers: forward keeps cos z (the derivative) from the same pass. */
  readonly sinCos?: SinCos;
  /** The whole net at once (runtime/kernels/dense-net-wasm.ts); null: declined, the per-layer path runs. */
  readonly net?: DenseNetKernel;
}

/**
 * A whole-net forward and backward with denseForward's and denseBackward's contracts (checked
 * inputs). Its trace may keep x and the layers to run the forward again (after its activations
 * were evicted): like x, the layers' w and b stay unchanged until backward.
 */
export interface DenseNetKernel {
  forward(layers: readonly DenseLayerValues[], x: Float64Array, rows: number, options?: DenseForwardOptions): { y: Float64Array; trace: DenseTrace } | null;
  backward(layers: readonly DenseLayerValues[], trace: DenseTrace, gy: Float64Array, grads: readonly DenseGrads[], options?: DenseBackwardOptions): Float64Array | null;
}

/**
 * Result arrays a training loop keeps from step to step (a fresh 256 KiB array, allocated and
 * zeroed, cost a 32-wide layer 10-15% of its step).
 */
export interface DenseForwardOptions {
  /**
   * The output, [rows, last.outputs], overwritten (its old values are never read) and returned as
   * y. It becomes part of the trace: like x, leave it unchanged until backward. Must not share
   * memory with x.
   */
  readonly y?: Float64Array;
}

export interface DenseBackwardOptions {
  /** dL/dx, [rows, layers[0].inputs], overwritten and returned. Must not share memory with gy. */
  readonly gx?: Float64Array;
  /**
   * false: dL/dx is not computed (a first layer's input gradient that the caller discards: one
   * matmul and one array saved); backward returns an empty array. The gradients of w and b are
   * the same either way. Default true.
   */
  readonly inputGradient?: boolean;
}

/** The empty dL/dx of a backward without input gradient. */
const NO_INPUT_GRADIENT = new Float64Array(0);

/** x: [rows, layers[0].inputs] row-major -> y: [rows, last.outputs]; trace for backward. */
export function denseForward(layers: readonly DenseLayerValues[], x: Float64Array, rows: number, kernels?: DenseKernels, options?: DenseForwardOptions): { y: Float64Array; trace: DenseTrace } {
  checkLayers(layers);
  if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * layers[0]!.inputs) {
    throw new Error(`denseForward: x has ${x.length} values, expected rows (${rows}) x inputs (${layers[0]!.inputs})`);
  }
  const out = options?.y;
  if (out) checkBuffer('denseForward', 'options.y', out, rows, layers[layers.length - 1]!.outputs, 'outputs', x, 'x');
  const whole = kernels?.net?.forward(layers, x, rows, options);
  if (whole) {
    // A kernel that ignored options.y: its y copied over, so the caller's buffer holds the result either way.
    if (out && whole.y !== out) {
      out.set(whole.y);
      return { y: out, trace: whole.trace };
    }
    return whole;
  }
  const inputs: Float64Array[] = [x];
  const pre: Float64Array[] = [];
  const deriv: (Float64Array | undefined)[] = [];
  let cur = x;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l]!;
    // The last layer writes its output into the caller's buffer (a linear one its pre-activation, which is the same).
    const into = l === layers.length - 1 ? out : undefined;
    const z = affine(layer, cur, rows, kernels, layer.activation === 'linear' ? into : undefined);
    let y: Float64Array;
    let d: Float64Array | undefined;
    if (layer.activation === 'sin' && kernels?.sinCos) {
      y = into ?? new Float64Array(z.length);
      d = new Float64Array(z.length);
      if (!kernels.sinCos(z, y, d)) {
        y = activate('sin', z, into);
        d = undefined;
      }
    } else y = layer.activation === 'linear' ? z : activate(layer.activation, z, into);
    pre.push(z);
    deriv.push(d);
    inputs.push(y);
    cur = y;
  }
  return { y: cur, trace: { rows, inputs, pre, ...(deriv.some((d) => d) ? { deriv } : {}) } };
}

/**
 * Accumulates (+=) dL/dw and dL/db of every layer into grads[l].w / grads[l].b, given
 * gy = dL/dy [rows, outputs]. Returns dL/dx [rows, inputs].
 */
export function denseBackward(
  layers: readonly DenseLayerValues[],
  trace: DenseTrace,
  gy: Float64Array,
  grads: readonly DenseGrads[],
  kernels?: DenseKernels,
  options?: DenseBackwardOptions,
): Float64Array {
  checkLayers(layers);
  const rows = trace.rows;
  const last = layers[layers.length - 1]!;
  if (gy.length !== rows * last.outputs) throw new Error(`denseBackward: gy has ${gy.length} values, expected ${rows * last.outputs}`);
  if (grads.length !== layers.length) throw new Error(`denseBackward: ${grads.length} gradient slots for ${layers.length} layers`);
  layers.forEach((layer, l) => {
    if (grads[l]!.w.length !== layer.w.length || grads[l]!.b.length !== layer.b.length) throw new Error(`denseBackward: gradient slot ${l} has the wrong shape`);
  });
  const wantGx = options?.inputGradient ?? true;
  if (typeof wantGx !== 'boolean') throw new Error(`denseBackward: options.inputGradient must be true or false, got ${String(wantGx)}`);
  const out = options?.gx;
  if (out) {
    if (!wantGx) throw new Error('denseBackward: options.gx is given but options.inputGradient is false (no dL/dx to write)');
    checkBuffer('denseBackward', 'options.gx', out, rows, layers[0]!.inputs, 'inputs', gy, 'gy');
  }
  // Before anything reads the trace's arrays: a whole-net kernel's trace may only make them when read.
  const whole = kernels?.net?.backward(layers, trace, gy, grads, options);
  if (whole) {
    if (!wantGx) return NO_INPUT_GRADIENT;
    // A kernel that ignored options.gx: its dL/dx copied over.
    if (out && whole !== out) out.set(whole);
    return out ?? whole;
  }
  if (trace.pre.length !== layers.length) throw new Error('denseBackward: the trace is from a different net');
  let g = gy;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const slot = grads[l]!;
    const d = trace.deriv?.[l];
    const gz = layer.activation === 'linear' ? g : d ? times(g, d) : activationGrad(layer.activation, trace.pre[l]!, trace.inputs[l + 1]!, g);
    const first = l === 0;
    g = affineBackward(layer, trace.inputs[l]!, gz, rows, slot, kernels, first ? wantGx : true, first ? out : undefined) ?? NO_INPUT_GRADIENT;
  }
  return g;
}

/** Glorot-uniform weights [inputs * outputs] on +-sqrt(6 / (inputs + outputs)) from a uniform(0,1) source. */
export function glorotUniform(inputs: number, outputs: number, next: () => number): Float64Array {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const w = new Float64Array(inputs * outputs);
  for (let k = 0; k < w.length; k++) w[k] = (2 * next() - 1) * limit;
  return w;
}

/** A caller's result buffer: rows x width values, no memory shared with `other` (an input it must not overwrite). */
function checkBuffer(fn: string, option: string, buf: Float64Array, rows: number, width: number, widthName: string, other: Float64Array, otherName: string): void {
  if (!(buf instanceof Float64Array)) throw new Error(`${fn}: ${option} must be a Float64Array`);
  if (buf.length !== rows * width) throw new Error(`${fn}: ${option} has ${buf.length} values, expected rows (${rows}) x ${widthName} (${width}) = ${rows * width}`);
  if (buf.buffer === other.buffer && buf.length > 0 && other.length > 0) {
    const [a0, a1] = [buf.byteOffset, buf.byteOffset + buf.byteLength];
    const [b0, b1] = [other.byteOffset, other.byteOffset + other.byteLength];
    if (a0 < b1 && b0 < a1) throw new Error(`${fn}: ${option} shares memory with ${otherName}`);
  }
}

function checkLayers(layers: readonly DenseLayerValues[]): void {
  if (layers.length === 0) throw new Error('a dense net needs at least one layer');
  layers.forEach((layer, l) => {
    if (layer.w.length !== layer.inputs * layer.outputs || layer.b.length !== layer.outputs) {
      throw new Error(`dense layer ${l}: w must have inputs x outputs (${layer.inputs} x ${layer.outputs}) values and b outputs values`);
    }
    if (l > 0 && layer.inputs !== layers[l - 1]!.outputs) {
      throw new Error(`dense layer ${l} takes ${layer.inputs} inputs but layer ${l - 1} gives ${layers[l - 1]!.outputs}`);
    }
  });
}

/** z = x w + b = x (w^T)^T + b. */
function affine(layer: DenseLayerValues, x: Float64Array, rows: number, kernels: DenseKernels | undefined, into?: Float64Array): Float64Array {
  const { w, b, inputs: nin, outputs: nout } = layer;
  // Every entry is set to its bias before the matmul adds in: a passed buffer needs no zeroing.
  const z = into ?? new Float64Array(rows * nout);
  for (let r = 0; r < rows; r++) z.set(b, r * nout);
  if (!kernels?.matmul?.(x, w, rows, nin, nout, z)) addABt(x, transpose(w, nin, nout), rows, nout, nin, z);
  return z;
}

function activate(act: Exclude<Activation, 'linear'>, z: Float64Array, into?: Float64Array): Float64Array {
  const y = into ?? new Float64Array(z.length);
  const n = z.length;
  switch (act) {
    case 'tanh':
      for (let k = 0; k < n; k++) y[k] = Math.tanh(z[k]!);
      break;
    case 'relu':
      for (let k = 0; k < n; k++) y[k] = z[k]! > 0 ? z[k]! : 0;
      break;
    case 'sin':
      for (let k = 0; k < n; k++) y[k] = Math.sin(z[k]!);
      break;
  }
  return y;
}

/** a * b elementwise, a new array. */
function times(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k]! * b[k]!;
  return out;
}

/** dL/dz = dL/dy * act'(z); tanh' from y = tanh z, sin' = cos z, relu' = [z > 0]. */
function activationGrad(act: Exclude<Activation, 'linear'>, z: Float64Array, y: Float64Array, gy: Float64Array): Float64Array {
  const gz = new Float64Array(z.length);
  const n = z.length;
  switch (act) {
    case 'tanh':
      for (let k = 0; k < n; k++) gz[k] = gy[k]! * (1 - y[k]! * y[k]!);
      break;
    case 'relu':
      for (let k = 0; k < n; k++) gz[k] = z[k]! > 0 ? gy[k]! : 0;
      break;
    case 'sin':
      for (let k = 0; k < n; k++) gz[k] = gy[k]! * Math.cos(z[k]!);
      break;
  }
  return gz;
}

// Rows per block when forming x^T gz: the transposed blocks stay in cache.
const ROW_BLOCK = 128;

/** gw += x^T gz, gb += colsum(gz); returns gx = gz w^T (into `into` where given; undefined when !wantGx). */
function affineBackward(
  layer: DenseLayerValues,
  x: Float64Array,
  gz: Float64Array,
  rows: number,
  slot: DenseGrads,
  kernels: DenseKernels | undefined,
  wantGx = true,
  into?: Float64Array,
): Float64Array | undefined {
  const { w, inputs: nin, outputs: nout } = layer;
  const gb = slot.b;
  for (let r = 0; r < rows; r++) {
    const zo = r * nout;
    for (let j = 0; j < nout; j++) gb[j] += gz[zo + j]!;
  }
  // gw += x^T gz and gx = gz w^T, each by the caller's kernel where it runs, else the JS loops.
  if (!kernels?.matmul?.(transpose(x, rows, nin), gz, nin, rows, nout, slot.w)) {
    // gw[i, j] += sum_r x[r, i] gz[r, j], a block of rows at a time as (x_blk^T)(gz_blk^T)^T.
    const xT = new Float64Array(nin * ROW_BLOCK);
    const gT = new Float64Array(nout * ROW_BLOCK);
    for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
      const len = Math.min(ROW_BLOCK, rows - r0);
      transposeInto(x.subarray(r0 * nin, (r0 + len) * nin), len, nin, xT);
      transposeInto(gz.subarray(r0 * nout, (r0 + len) * nout), len, nout, gT);
      addABt(xT, gT, nin, nout, len, slot.w);
    }
  }
  if (!wantGx) return undefined;
  // The matmuls add into gx: a passed buffer starts from zero like a fresh one.
  const gx = into ? into.fill(0) : new Float64Array(rows * nin);
  // gx[r, i] = sum_j gz[r, j] w[i, j]: w is already the B of A B^T.
  if (!kernels?.matmul?.(gz, transpose(w, nin, nout), rows, nout, nin, gx)) addABt(gz, w, rows, nin, nout, gx);
  return gx;
}

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  transposeInto(a, m, n, t);
  return t;
}

/** t[n x m] = a[m x n]^T (t may be longer than m * n). */
function transposeInto(a: Float64Array, m: number, n: number, t: Float64Array): void {
  for (let r = 0; r < m; r++) {
    const ao = r * n;
    for (let c = 0; c < n; c++) t[c * m + r] = a[ao + c]!;
  }
}

/**
 * out[m x n] += A[m x k] B[n x k]^T, all row-major. The one matmul kernel of the net: 4 x 4
 * register tiles read each loaded A and B value four times (about 3.5x the plain loops in V8).
 */
function addABt(A: Float64Array, B: Float64Array, m: number, n: number, k: number, out: Float64Array): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let r = 0; r < m4; r += 4) {
    const a0 = r * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let c = 0; c < n4; c += 4) {
      const b0 = c * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let i = 0; i < k; i++) {
        const x0 = A[a0 + i]!, x1 = A[a1 + i]!, x2 = A[a2 + i]!, x3 = A[a3 + i]!;
        const w0 = B[b0 + i]!, w1 = B[b1 + i]!, w2 = B[b2 + i]!, w3 = B[b3 + i]!;
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
        s20 += x2 * w0; s21 += x2 * w1; s22 += x2 * w2; s23 += x2 * w3;
        s30 += x3 * w0; s31 += x3 * w1; s32 += x3 * w2; s33 += x3 * w3;
      }
      let o = r * n + c;
      out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03;
      o += n;
      out[o] += s10; out[o + 1] += s11; out[o + 2] += s12; out[o + 3] += s13;
      o += n;
      out[o] += s20; out[o + 1] += s21; out[o + 2] += s22; out[o + 3] += s23;
      o += n;
      out[o] += s30; out[o + 1] += s31; out[o + 2] += s32; out[o + 3] += s33;
    }
  }
  // The edges the tiles miss: the last n % 4 columns of tiled rows, and the last m % 4 rows.
  for (let r = 0; r < m; r++) {
    const a = r * k;
    for (let c = r < m4 ? n4 : 0; c < n; c++) {
      const b = c * k;
      let s = 0;
      for (let i = 0; i < k; i++) s += A[a + i]! * B[b + i]!;
      out[r * n + c] += s;
    }
  }
}
