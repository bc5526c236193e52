// WGSL of the Gaussian mixture's device path (float32, log space), generated per shape (D, K,
// diagonal or full) so loops have constant bounds; pipelines are cached by this text.
//
// E-step, one invocation per row: t_k = c_k - 0.5 q_k(x - mu_k) (diagonal: sum_d p_kd z_d^2;
// full: |M_k z|^2, M_k the lower-triangular factor of the precision, M_k^T M_k = Sigma_k^-1),
// l = m + log sum_k exp(t_k - m) with m = max_k t_k, responsibilities exp(t_k - m) / sum, and
// sum_i w_i l_i reduced per workgroup. Statistics, one workgroup per (row chunk, component):
// each invocation owns entries of the component's vector [sum r, sum r z, sum r z z^T or z^2]
// with z = x - mu_k (centred on the current mean: no cancellation in the host's f64 M-step);
// entry (a, b) is sum_i w_i r_ik zt_a zt_b over zt = [z, 1]. A column-sum pass reduces the
// chunks' partials (and the log-likelihood's) as a tree per column.

export const WG = 64;
/** Rows per statistics workgroup. */
export const CHUNK = 1024;
/** Largest shapes the kernels are generated for (private arrays, workgroup memory). */
export const MAX_D = 32;
export const MAX_K = 128;

/** Parameter layout per component: mu (D), then p (D, diagonal) or M packed by rows (D(D+1)/2), then c. */
export function paramStride(D: number, full: boolean): number {
  return D + (full ? (D * (D + 1)) / 2 : D) + 1;
}

/** The statistics' entries (a, b) over zt = [z, 1]: (D, D) = sum r, (d, D) = sum r z_d, then (d, d) or (a, b) with b <= a. */
export function statEntries(D: number, full: boolean): [number, number][] {
  const e: [number, number][] = [[D, D]];
  for (let d = 0; d < D; d++) e.push([d, D]);
  if (full) for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) e.push([a, b]);
  else for (let d = 0; d < D; d++) e.push([d, d]);
  return e;
}

const NEG = '-3.0e38'; // log 0 on the device (f32 has no -inf literal)

export function estepWgsl(D: number, K: number, full: boolean): string {
  const P = paramStride(D, full);
  const quad = full
    ? `    var q = 0.0;
    var o = base + ${D}u;
    for (var a = 0u; a < ${D}u; a++) {
      var y = 0.0;
      for (var j = 0u; j <= a; j++) { y += p[o + j] * z[j]; }
      o += a + 1u;
      q += y * y;
    }`
    : `    var q = 0.0;
    for (var d = 0u; d < ${D}u; d++) { q += p[base + ${D}u + d] * z[d] * z[d]; }`;
  return `// pmix GMM E-step: D=${D} K=${K} ${full ? 'full' : 'diag'}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
@group(0) @binding(3) var<storage, read_write> resp: array<f32>;
@group(0) @binding(4) var<storage, read_write> ll: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;
@group(0) @binding(6) var<uniform> u: vec4u;
var<workgroup> red: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = wid.y * nw.x + wid.x;
  let i = g * ${WG}u + li;
  var contrib = 0.0;
  if (i < u.x) {
    var xs: array<f32, ${D}>;
    for (var d = 0u; d < ${D}u; d++) { xs[d] = x[i * ${D}u + d]; }
    var t: array<f32, ${K}>;
    var m = ${NEG};
    for (var k = 0u; k < ${K}u; k++) {
      let base = k * ${P}u;
      var z: array<f32, ${D}>;
      for (var d = 0u; d < ${D}u; d++) { z[d] = xs[d] - p[base + d]; }
${quad}
      let tk = p[base + ${P - 1}u] - 0.5 * q;
      t[k] = tk;
      m = max(m, tk);
    }
    var s = 0.0;
    for (var k = 0u; k < ${K}u; k++) { s += exp(t[k] - m); }
    let l = m + log(s);
    // exp(t - m) / s, not exp(t - l): l is rounded to its float32 ulp (1e-3 near 1e4), t - m is not.
    let inv = 1.0 / s;
    for (var k = 0u; k < ${K}u; k++) { resp[i * ${K}u + k] = exp(t[k] - m) * inv; }
    ll[i] = l;
    contrib = w[i] * l;
  }
  red[li] = contrib;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h = h >> 1u) {
    if (li < h) { red[li] += red[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) { part[g] = red[0]; }
}
`;
}

export function statsWgsl(D: number, K: number, full: boolean): string {
  const P = paramStride(D, full);
  const entries = statEntries(D, full);
  const E = entries.length;
  const Q = Math.ceil(E / WG);
  const Z = D + 1;
  // Entry j's (a, b), as constant tables the invocations index.
  const A = entries.map((e) => `${e[0]}u`).join(', ');
  const B = entries.map((e) => `${e[1]}u`).join(', ');
  return `// pmix GMM statistics: D=${D} K=${K} ${full ? 'full' : 'diag'} (E=${E} entries)
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
@group(0) @binding(3) var<storage, read> resp: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;
@group(0) @binding(5) var<uniform> u: vec4u;
const EA = array<u32, ${E}>(${A});
const EB = array<u32, ${E}>(${B});
var<workgroup> zt: array<f32, ${WG * Z}>;
var<workgroup> wts: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let chunk = wid.x;
  let k = wid.y;
  let n = u.x;
  let base = k * ${P}u;
  var ea: array<u32, ${Q}>;
  var eb: array<u32, ${Q}>;
  var acc: array<f32, ${Q}>;
  for (var q = 0u; q < ${Q}u; q++) {
    let j = min(li + q * ${WG}u, ${E - 1}u);
    ea[q] = EA[j];
    eb[q] = EB[j];
    acc[q] = 0.0;
  }
  let start = chunk * ${CHUNK}u;
  for (var r0 = start; r0 < min(start + ${CHUNK}u, n); r0 += ${WG}u) {
    // Each invocation loads one row into the tile: zt = [x - mu_k, 1] and its weight w r.
    let i = r0 + li;
    var wr = 0.0;
    if (i < n) { wr = w[i] * max(resp[i * ${K}u + k], 0.0); }
    for (var d = 0u; d < ${D}u; d++) {
      var zd = 0.0;
      if (i < n) { zd = x[i * ${D}u + d] - p[base + d]; }
      zt[li * ${Z}u + d] = zd;
    }
    zt[li * ${Z}u + ${D}u] = 1.0;
    wts[li] = wr;
    workgroupBarrier();
    let rows = min(${WG}u, n - r0);
    for (var r = 0u; r < rows; r++) {
      let o = r * ${Z}u;
      let wr2 = wts[r];
      for (var q = 0u; q < ${Q}u; q++) { acc[q] += wr2 * zt[o + ea[q]] * zt[o + eb[q]]; }
    }
    workgroupBarrier();
  }
  for (var q = 0u; q < ${Q}u; q++) {
    let j = li + q * ${WG}u;
    if (j < ${E}u) { part[(chunk * ${K}u + k) * ${E}u + j] = acc[q]; }
  }
}
`;
}

/** out[c] = sum_r part[r * cols + c] for c < cols: one workgroup per column, strided sums then a tree. */
export const REDUCE_WGSL = `// pmix column sums
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: vec4u;
var<workgroup> red: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wid.y * nw.x + wid.x;
  let rows = u.x;
  let cols = u.y;
  var s = 0.0;
  if (c < cols) {
    for (var r = li; r < rows; r += ${WG}u) { s += part[r * cols + c]; }
  }
  red[li] = s;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h = h >> 1u) {
    if (li < h) { red[li] += red[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u && c < cols) { out[c] = red[0]; }
}
`;
