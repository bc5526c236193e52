// The backward kernels of a circuit's device program (program.ts): flows through the folded
// sums and the products, the input leaves' statistics, and the root's collect at the end of the
// forward pass.
import { WG, f32, header, Meta, ceil, inputTable, type BufferName, type Kernel } from './program-wgsl.js';
import { type DiscreteInput, type NormalInput, type ProductEdge, type SumGroup } from './plan.js';

export function sumBackward(g: SumGroup, t: { MO: number; MS: number }, B: number, V: number): Kernel[] {
  const RS = g.F * B * g.I;
  const bindings: BufferName[] = ['ctl', 'meta', 'prm', 'vals', 'flows', 'mbuf', 'scr', 'rw'];
  // r[u] = flow[u] exp(m - out[u]); inFlow[i] = exp(A[i] - m) sum_u r[u] W[u, i]. E and rw * r
  // go to scratch for the counts kernel. Children of the group are disjoint: no two
  // workgroups add to one flow.
  const back = `${header(bindings, B, V, ['mbuf'])}
const U: u32 = ${g.U}u;
const I: u32 = ${g.I}u;
var<workgroup> r: array<f32, ${g.U}>;
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = w.x; let f = w.y;
  if (b >= ctl.rows) { return; }
  let m = mbuf[${g.m}u + f * B + b];
  let ob = tab[${t.MO}u + f] + b * U;
  let rwb = rw[ctl.rowStart + b];
  for (var u = t; u < U; u += ${WG}u) {
    let fl = flows[ob + u];
    let o = vals[ob + u];
    var rv = 0.0;
    if (fl != 0.0 && o > ZB) { rv = fl * exp(m - o); }
    r[u] = rv;
    scr[${RS}u + (f * B + b) * U + u] = rwb * rv;
  }
  workgroupBarrier();
  for (var i = t; i < I; i += ${WG}u) {
    var s = 0.0;
    let wb = ${g.w}u + f * U * I + i;
    for (var u = 0u; u < U; u++) { s += r[u] * prm[wb + u * I]; }
    let k = ${t.MS}u + (f * I + i) * 2u;
    let idx = tab[k] + b * tab[k + 1u];
    let ev = exp(vals[idx] - m);
    scr[(f * B + b) * I + i] = ev;
    flows[idx] += ev * s;
  }
}`;
  const cb: BufferName[] = ['ctl', 'prm', 'scr', 'stats'];
  const counts = `${header(cb, B, V, ['scr'])}
const U: u32 = ${g.U}u;
const I: u32 = ${g.I}u;
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= U * I) { return; }
  let u = g.x / I; let i = g.x % I; let f = g.y;
  var s = 0.0;
  for (var b = 0u; b < ctl.rows; b++) { s += scr[${RS}u + (f * B + b) * U + u] * scr[(f * B + b) * I + i]; }
  let k = (f * U + u) * I + i;
  stats[${g.counts}u + k] += prm[${g.w}u + k] * s;
}`;
  const name = `${g.ids[0]}${g.F > 1 ? ` +${g.F - 1}` : ''}`;
  return [
    { label: `sum back ${name}`, wgsl: back, bindings, groups: [B, g.F] },
    { label: `sum counts ${name}`, wgsl: counts, bindings: cb, groups: [ceil(g.U * g.I, WG), g.F] },
  ];
}

export function productBackward(meta: Meta, edges: readonly ProductEdge[], B: number, V: number): Kernel {
  const T = meta.push(...edges.flatMap((e) => [e.parentOff, e.parentUnits, e.childOff, e.childUnits, e.kronecker ? 1 : 0, e.stride]));
  const bindings: BufferName[] = ['ctl', 'meta', 'flows'];
  const maxU = Math.max(...edges.map((e) => e.childUnits));
  // Pull: the child's unit j gathers the flows of the parent's units whose digit is j.
  const wgsl = `${header(bindings, B, V)}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 6u;
  let po = tab[h]; let pu = tab[h + 1u]; let co = tab[h + 2u]; let cu = tab[h + 3u]; let kron = tab[h + 4u]; let st = tab[h + 5u];
  if (g.x >= ctl.rows * cu) { return; }
  let b = g.x / cu; let j = g.x % cu;
  let pb = po * B + b * pu;
  var s = 0.0;
  if (kron == 0u) { s = flows[pb + j]; } else {
    let blk = cu * st;
    for (var hi = 0u; hi < pu; hi += blk) { for (var lo = 0u; lo < st; lo++) { s += flows[pb + hi + j * st + lo]; } }
  }
  flows[co * B + b * cu + j] += s;
}`;
  return { label: 'product back', wgsl, bindings, groups: [ceil(B * maxU, WG), edges.length] };
}

export function discreteStats(meta: Meta, nodes: readonly DiscreteInput[], B: number, V: number): Kernel {
  const T = inputTable(meta, nodes, (n) => (n as DiscreteInput).L);
  const bindings: BufferName[] = ['ctl', 'meta', 'x', 'mask', 'rw', 'flows', 'stats'];
  const most = Math.max(...nodes.map((n) => n.units * n.cols.length * n.L));
  // Level counts: stats[(u, j, l)] += sum over rows with x_j = l of rw * flow[u].
  const wgsl = `${header(bindings, B, V, ['flows'])}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 7u;
  let off = tab[h]; let U = tab[h + 1u]; let D = tab[h + 2u]; let cols = tab[h + 3u]; let L = tab[h + 4u]; let st = tab[h + 6u];
  if (g.x >= U * D * L) { return; }
  let l = g.x % L; let uj = g.x / L; let j = uj % D; let u = uj / D;
  let col = tab[cols + j];
  let lv = f32(l);
  var s = 0.0;
  for (var b = 0u; b < ctl.rows; b++) {
    let xi = (ctl.rowStart + b) * V + col;
    if (mask[xi] != 0u && x[xi] == lv) { s += rw[ctl.rowStart + b] * flows[off * B + b * U + u]; }
  }
  stats[st + g.x] += s;
}`;
  return { label: 'discrete stats', wgsl, bindings, groups: [ceil(most, WG), nodes.length] };
}

export function normalStats(meta: Meta, nodes: readonly NormalInput[], B: number, V: number): Kernel {
  const T = inputTable(meta, nodes, () => 0);
  const bindings: BufferName[] = ['ctl', 'meta', 'x', 'mask', 'rw', 'prm', 'flows', 'stats'];
  const most = Math.max(...nodes.map((n) => n.units * n.cols.length));
  // Centred at the current mean (f32 sums of squares lose less).
  const wgsl = `${header(bindings, B, V, ['flows'])}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 7u;
  let off = tab[h]; let U = tab[h + 1u]; let D = tab[h + 2u]; let cols = tab[h + 3u]; let tbl = tab[h + 5u]; let st = tab[h + 6u];
  if (g.x >= U * D) { return; }
  let j = g.x % D; let u = g.x / D;
  let col = tab[cols + j];
  let mu = prm[tbl + g.x * 3u];
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0;
  for (var b = 0u; b < ctl.rows; b++) {
    let xi = (ctl.rowStart + b) * V + col;
    if (mask[xi] != 0u) {
      let w = rw[ctl.rowStart + b] * flows[off * B + b * U + u];
      let d = x[xi] - mu;
      s0 += w; s1 += w * d; s2 += w * d * d;
    }
  }
  stats[st + g.x * 3u] += s0; stats[st + g.x * 3u + 1u] += s1; stats[st + g.x * 3u + 2u] += s2;
}`;
  return { label: 'normal stats', wgsl, bindings, groups: [ceil(most, WG), nodes.length] };
}

export function collect(rootOff: number, B: number, V: number): Kernel {
  const bindings: BufferName[] = ['ctl', 'vals', 'flows', 'll'];
  const wgsl = `${header(bindings, B, V, ['vals'])}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let b = g.x;
  if (b >= ctl.rows) { return; }
  let v = vals[${rootOff}u * B + b];
  ll[ctl.rowStart + b] = v;
  var fl = 0.0;
  if (v > ZB) { fl = 1.0; }
  flows[${rootOff}u * B + b] = fl;
}`;
  return { label: 'root', wgsl, bindings, groups: [ceil(B, WG), 1] };
}

