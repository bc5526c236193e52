// The forward kernels of a circuit's device program (program.ts): input leaves (discrete,
// normal), products, and the folded sums (plain or tiled: sum-tiled.ts), in log space.
import { WG, f32, header, Meta, ceil, inputTable, type BufferName, type Kernel } from './program-wgsl.js';
import { type DiscreteInput, type NormalInput, type ProductNodeOp, type SumGroup } from './plan.js';
import { tiledSumGroups, tiledSumWgsl, useTiledSum, type SumKernelChoice } from './sum-tiled.js';

export function discreteForward(meta: Meta, nodes: readonly DiscreteInput[], B: number, V: number): Kernel {
  const T = inputTable(meta, nodes, (n) => (n as DiscreteInput).L);
  const bindings: BufferName[] = ['ctl', 'meta', 'x', 'mask', 'prm', 'vals'];
  const maxU = Math.max(...nodes.map((n) => n.units));
  const wgsl = `${header(bindings, B, V)}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 7u;
  let off = tab[h]; let U = tab[h + 1u]; let D = tab[h + 2u]; let cols = tab[h + 3u]; let L = tab[h + 4u]; let tbl = tab[h + 5u];
  if (g.x >= ctl.rows * U) { return; }
  let b = g.x / U; let u = g.x % U;
  let row = (ctl.rowStart + b) * V;
  var s = 0.0;
  for (var j = 0u; j < D; j++) {
    let xi = row + tab[cols + j];
    if (mask[xi] != 0u) {
      let v = x[xi];
      let l = u32(max(v, 0.0));
      if (v >= 0.0 && v < f32(L) && f32(l) == v) { s += prm[tbl + (u * D + j) * L + l]; } else { s += NEG; }
    }
  }
  vals[off * B + b * U + u] = s;
}`;
  return { label: 'discrete inputs', wgsl, bindings, groups: [ceil(B * maxU, WG), nodes.length] };
}

export function normalForward(meta: Meta, nodes: readonly NormalInput[], B: number, V: number): Kernel {
  const T = inputTable(meta, nodes, () => 0);
  const bindings: BufferName[] = ['ctl', 'meta', 'x', 'mask', 'prm', 'vals'];
  const maxU = Math.max(...nodes.map((n) => n.units));
  const wgsl = `${header(bindings, B, V)}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 7u;
  let off = tab[h]; let U = tab[h + 1u]; let D = tab[h + 2u]; let cols = tab[h + 3u]; let tbl = tab[h + 5u];
  if (g.x >= ctl.rows * U) { return; }
  let b = g.x / U; let u = g.x % U;
  let row = (ctl.rowStart + b) * V;
  var s = 0.0;
  for (var j = 0u; j < D; j++) {
    let xi = row + tab[cols + j];
    if (mask[xi] != 0u) {
      let p = tbl + (u * D + j) * 3u;
      let d = x[xi] - prm[p];
      s += prm[p + 2u] - prm[p + 1u] * d * d;
    }
  }
  vals[off * B + b * U + u] = s;
}`;
  return { label: 'normal inputs', wgsl, bindings, groups: [ceil(B * maxU, WG), nodes.length] };
}

export function productForward(meta: Meta, nodes: readonly ProductNodeOp[], B: number, V: number): Kernel {
  const kidStarts = nodes.map((n) => meta.push(...n.kids.flatMap((k) => [k.off, k.units])));
  const T = meta.words.length;
  nodes.forEach((n, k) => meta.push(n.off, n.units, n.kids.length, kidStarts[k]!, n.kronecker ? 1 : 0));
  const bindings: BufferName[] = ['ctl', 'meta', 'vals'];
  const maxU = Math.max(...nodes.map((n) => n.units));
  // Children in reverse order (the last child's unit varies fastest in a Kronecker product).
  const wgsl = `${header(bindings, B, V)}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let h = ${T}u + g.y * 5u;
  let off = tab[h]; let U = tab[h + 1u]; let nk = tab[h + 2u]; let ks = tab[h + 3u]; let kron = tab[h + 4u];
  if (g.x >= ctl.rows * U) { return; }
  let b = g.x / U; let u = g.x % U;
  var s = 0.0;
  var rest = u;
  for (var c = nk; c > 0u; c--) {
    let k = ks + (c - 1u) * 2u;
    let cu = tab[k + 1u];
    var d = u;
    if (kron != 0u) { d = rest % cu; rest = rest / cu; }
    s += vals[tab[k] * B + b * cu + d];
  }
  vals[off * B + b * U + u] = s;
}`;
  return { label: 'products', wgsl, bindings, groups: [ceil(B * maxU, WG), nodes.length] };
}

/** The fold's tables: output offsets [F] then (source offset, source units) per (f, i). */
export function sumTables(meta: Meta, g: SumGroup): { MO: number; MS: number } {
  const MO = meta.push(...g.outOff);
  const MS = meta.push(...g.srcOff.flatMap((o, k) => [o, g.srcUnits[k]!]));
  return { MO, MS };
}

const CH = 256;

export function sumForward(g: SumGroup, t: { MO: number; MS: number }, B: number, V: number, choice: SumKernelChoice): Kernel[] {
  const bindings: BufferName[] = ['ctl', 'meta', 'prm', 'vals', 'mbuf'];
  const tiled = useTiledSum(g, B, choice);
  const UPT = ceil(g.U, WG);
  // One workgroup per (row, node): the row's inputs are max-shifted and exponentiated into
  // workgroup memory a chunk at a time, each thread accumulates its units' dot products with
  // W^T (consecutive threads read consecutive units).
  const out = (acc: string): string => `let a = ${acc}; var o = NEG; if (a > 0.0) { o = log(a) + m; } vals[tab[${t.MO}u + f] + b * U + u] = o;`;
  // I <= CH: the row's exp-shifted inputs fit in workgroup memory at once; one barrier.
  const oneChunk = `  for (var k = t; k < I; k += ${WG}u) { e[k] = exp(inA(f, b, k) - m); }
  workgroupBarrier();
  for (var u = t; u < U; u += ${WG}u) {
    var s = 0.0;
    let wb = ${g.wt}u + f * I * U + u;
    for (var k = 0u; k < I; k++) { s += e[k] * prm[wb + k * U]; }
    ${out('s')}
  }`;
  const chunked = `  var acc: array<f32, ${UPT}>;
  for (var c0 = 0u; c0 < I; c0 += ${CH}u) {
    for (var k = t; k < ${CH}u; k += ${WG}u) { if (c0 + k < I) { e[k] = exp(inA(f, b, c0 + k) - m); } }
    workgroupBarrier();
    let n = min(${CH}u, I - c0);
    for (var q = 0u; q < ${UPT}u; q++) {
      let u = t + q * ${WG}u;
      if (u < U) {
        var s = acc[q];
        let wb = ${g.wt}u + (f * I + c0) * U + u;
        for (var k = 0u; k < n; k++) { s += e[k] * prm[wb + k * U]; }
        acc[q] = s;
      }
    }
    workgroupBarrier();
  }
  for (var q = 0u; q < ${UPT}u; q++) {
    let u = t + q * ${WG}u;
    if (u < U) { ${out('acc[q]')} }
  }`;
  const wgsl = `${header(bindings, B, V, ['mbuf'])}
const U: u32 = ${g.U}u;
const I: u32 = ${g.I}u;
var<workgroup> e: array<f32, ${CH}>;
fn inA(f: u32, b: u32, i: u32) -> f32 {
  let k = ${t.MS}u + (f * I + i) * 2u;
  return vals[tab[k] + b * tab[k + 1u]];
}
@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = w.x; let f = w.y;
  if (b >= ctl.rows) { return; }
  let m = mbuf[${g.m}u + f * B + b];
${g.I <= CH ? oneChunk : chunked}
}`;
  // The max-shift of each (node, row) first, one thread each (a reduction inside the sum
  // kernel costs barriers; every thread finding it costs U times the reads).
  const mb: BufferName[] = ['ctl', 'meta', 'vals', 'mbuf'];
  const max = `${header(mb, B, V, ['vals'])}
const I: u32 = ${g.I}u;
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3u) {
  let b = g.x; let f = g.y;
  if (b >= ctl.rows) { return; }
  var m = -3.0e38;
  for (var i = 0u; i < I; i++) {
    let k = ${t.MS}u + (f * I + i) * 2u;
    m = max(m, vals[tab[k] + b * tab[k + 1u]]);
  }
  if (m <= ZB) { m = 0.0; }
  mbuf[${g.m}u + f * B + b] = m;
}`;
  const name = `${g.ids[0]}${g.F > 1 ? ` +${g.F - 1}` : ''}`;
  return [
    { label: `sum max ${name}`, wgsl: max, bindings: mb, groups: [ceil(B, WG), g.F] },
    tiled
      ? { label: `sum tiled ${name}`, wgsl: `${header(bindings, B, V, ['mbuf'])}\n${tiledSumWgsl(g, t.MO, t.MS)}`, bindings, groups: tiledSumGroups(g, B) }
      : { label: `sum ${name}`, wgsl, bindings, groups: [B, g.F] },
  ];
}

