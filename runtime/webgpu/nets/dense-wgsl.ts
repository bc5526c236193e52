// WGSL for the integral circuits' dense nets (float32): one tiled matmul (16 x 16 tiles of
// both operands staged in workgroup memory, one output per thread) with what each use needs
// fused into its loads and its store:
// - forward: Z = X W + b, Y = act(Z), and act'(Z) kept for the backward pass (sin: cos z);
// - backward: GZ = G * act'(Z) folded into the operand loads, dW = X^T GZ, dX = GZ W^T;
// and a column-sum kernel for db = colsum(GZ). Dimensions come in a uniform, so one
// pipeline serves every layer of a kind.
export type NetActivation = 'tanh' | 'relu' | 'sin' | 'linear';

export const TILE = 16;
/** Threads of the column-sum kernel (one workgroup per column). */
export const SUM_THREADS = 256;

const DIMS = 'struct Dims { M: u32, N: u32, K: u32, pad: u32 }\n@group(0) @binding(0) var<uniform> dims: Dims;';

/** y = act(z) and d = act'(z) as WGSL statements. */
function epilogue(act: NetActivation): string {
  switch (act) {
    case 'sin':
      return 'let sc = sinCos(z); let y = sc.x; let d = sc.y;';
    case 'tanh':
      return 'let t = tanhAcc(z); let y = t; let d = 1.0 - t * t;';
    case 'relu':
      return 'let y = max(z, 0.0); let d = select(0.0, 1.0, z > 0.0);';
    case 'linear':
      return 'let y = z; let d = 1.0;';
  }
}

// WGSL's built-in sin and cos are only required to be within 2^-11 absolute (on SwiftShader
// they are about that), far from the CPU's 1e-5: Cody-Waite reduction by pi/2 in three parts
// and the single-precision minimax polynomials of Cephes' sinf/cosf on [-pi/4, pi/4]. tanh:
// its series near 0 (where 1 - 2 / (e^2z + 1) cancels), else from exp (3 + 2|x| ulp).
const MATH = `fn sinCos(x: f32) -> vec2<f32> {
  let k = round(x * 0.63661977236758134);
  var r = x - k * 1.5703125;
  r = r - k * 4.837512969970703125e-4;
  r = r - k * 7.54978995489188216e-8;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  let q = ((i32(k) % 4) + 4) % 4;
  if (q == 0) { return vec2<f32>(s, c); }
  if (q == 1) { return vec2<f32>(c, -s); }
  if (q == 2) { return vec2<f32>(-s, -c); }
  return vec2<f32>(-c, s);
}
fn tanhAcc(z: f32) -> f32 {
  let a = abs(z);
  if (a < 0.3) {
    let s = z * z;
    return z * (1.0 + s * (-0.33333333333 + s * (0.13333333333 + s * (-0.053968253968 + s * 0.021869488536))));
  }
  let e = exp(2.0 * min(a, 15.0));
  return sign(z) * (1.0 - 2.0 / (e + 1.0));
}`;

/**
 * The tiled C[M x N] = A[M x K] B[K x N] body; loadA(i, k) / loadB(k, j) are WGSL expressions
 * (valid indices only) and store(i, j, acc) the statements that write one output.
 */
function tiled(bindings: string, loadA: string, loadB: string, store: string): string {
  return `${DIMS}
${bindings}
var<workgroup> ta: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tb: array<array<f32, ${TILE}>, ${TILE}>;
fn loadA(i: u32, k: u32) -> f32 { return ${loadA}; }
fn loadB(k: u32, j: u32) -> f32 { return ${loadB}; }
${MATH}
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = wg.y * ${TILE}u + lid.y;
  let j = wg.x * ${TILE}u + lid.x;
  var acc = 0.0;
  let tiles = (dims.K + ${TILE - 1}u) / ${TILE}u;
  for (var t = 0u; t < tiles; t++) {
    let ka = t * ${TILE}u + lid.x;
    let kb = t * ${TILE}u + lid.y;
    ta[lid.y][lid.x] = select(0.0, loadA(i, ka), i < dims.M && ka < dims.K);
    tb[lid.y][lid.x] = select(0.0, loadB(kb, j), kb < dims.K && j < dims.N);
    workgroupBarrier();
    for (var k = 0u; k < ${TILE}u; k++) { acc += ta[lid.y][k] * tb[k][lid.x]; }
    workgroupBarrier();
  }
  if (i < dims.M && j < dims.N) { ${store} }
}`;
}

// WGSL's select evaluates both operands: the loads clamp their index so an out-of-range one stays in bounds.
const at = (buf: string, idx: string): string => `${buf}[min(${idx}, arrayLength(&${buf}) - 1u)]`;

/** Forward: X [M x K], W [K x N], b [N] -> Y, D [M x N]. Bindings: dims, X, W, b, Y, D. */
export function forwardWgsl(act: NetActivation): string {
  return tiled(
    `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<storage, read_write> D: array<f32>;`,
    at('X', 'i * dims.K + k'),
    at('W', 'k * dims.N + j'),
    `let z = acc + bias[j]; ${epilogue(act)} Y[i * dims.N + j] = y; D[i * dims.N + j] = d;`,
  );
}

/** GZ = G * D where the layer has an activation, G where it is linear (no D bound). */
const gz = (idx: string, withD: boolean): string => (withD ? `${at('G', idx)} * ${at('D', idx)}` : at('G', idx));
const gBindings = (first: number, withD: boolean): string =>
  `@group(0) @binding(${first}) var<storage, read> G: array<f32>;` + (withD ? `\n@group(0) @binding(${first + 1}) var<storage, read> D: array<f32>;` : '');

/**
 * dW [M = inputs x N = outputs] = X^T GZ over K = rows. Bindings: dims, X, G, (D), out.
 * X is [rows x inputs], G and D [rows x outputs].
 */
export function gradWWgsl(withD: boolean): string {
  return tiled(
    `@group(0) @binding(1) var<storage, read> X: array<f32>;
${gBindings(2, withD)}
@group(0) @binding(${withD ? 4 : 3}) var<storage, read_write> OUT: array<f32>;`,
    at('X', 'k * dims.M + i'),
    gz('k * dims.N + j', withD),
    'OUT[i * dims.N + j] = acc;',
  );
}

/**
 * dX [M = rows x N = inputs] = GZ W^T over K = outputs. Bindings: dims, G, (D), W, out.
 * W is [inputs x outputs].
 */
export function gradXWgsl(withD: boolean): string {
  return tiled(
    `${gBindings(1, withD)}
@group(0) @binding(${withD ? 3 : 2}) var<storage, read> W: array<f32>;
@group(0) @binding(${withD ? 4 : 3}) var<storage, read_write> OUT: array<f32>;`,
    gz('i * dims.K + k', withD),
    at('W', 'j * dims.K + k'),
    'OUT[i * dims.N + j] = acc;',
  );
}

/** db [N] = column sums of GZ [M x N]: one workgroup per column. Bindings: dims, G, (D), out. */
export function colSumWgsl(withD: boolean): string {
  return `${DIMS}
${gBindings(1, withD)}
@group(0) @binding(${withD ? 3 : 2}) var<storage, read_write> OUT: array<f32>;
var<workgroup> part: array<f32, ${SUM_THREADS}>;
@compute @workgroup_size(${SUM_THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let j = wg.x;
  var s = 0.0;
  for (var r = lid.x; r < dims.M; r += ${SUM_THREADS}u) { s += ${gz('r * dims.N + j', withD)}; }
  part[lid.x] = s;
  workgroupBarrier();
  for (var h = ${SUM_THREADS / 2}u; h > 0u; h >>= 1u) {
    if (lid.x < h) { part[lid.x] += part[lid.x + h]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { OUT[j] = part[0]; }
}`;
}
