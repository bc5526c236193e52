// The device program of a circuit plan: WGSL kernels (float32, log space) with the plan's
// offsets baked in, and the u32 table (meta) they read. Plain data (JSON-serializable), so it
// can be built where the model lives and run by exec.ts wherever the device is.
//
// Log 0 is the finite LOG_ZERO (WGSL may assume finite floats); values below ZERO_BELOW are 0.
import { tiledSumGroups, tiledSumWgsl, useTiledSum, type SumKernelChoice } from './sum-tiled.js';
import { LOG_ZERO, ZERO_BELOW, type CircuitPlan, type DiscreteInput, type NormalInput, type ProductEdge, type ProductNodeOp, type SumGroup } from './plan.js';

/** Buffers a kernel binds, in binding order (ctl is the uniform { rows, rowStart }). */
export type BufferName = 'ctl' | 'meta' | 'x' | 'mask' | 'rw' | 'prm' | 'vals' | 'flows' | 'mbuf' | 'scr' | 'stats' | 'll';

export interface Kernel {
  readonly label: string;
  readonly wgsl: string;
  readonly bindings: readonly BufferName[];
  /** Workgroups [x, y] for a full batch (kernels skip rows past ctl.rows). */
  readonly groups: readonly [number, number];
}

export interface DeviceProgram {
  readonly B: number;
  readonly V: number;
  readonly meta: number[];
  readonly sizes: { readonly vals: number; readonly prm: number; readonly stats: number; readonly mbuf: number; readonly scr: number };
  /** Forward pass of a batch, ending with the root's values copied to ll and its flows seeded. */
  readonly forward: readonly Kernel[];
  /** Backward pass (flows, edge counts) and the input statistics. */
  readonly backward: readonly Kernel[];
}

const WG = 64;
const f32 = (v: number): string => {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

const TYPES: Record<BufferName, string> = {
  ctl: 'var<uniform> ctl: Ctl',
  meta: 'var<storage, read> tab: array<u32>',
  x: 'var<storage, read> x: array<f32>',
  mask: 'var<storage, read> mask: array<u32>',
  rw: 'var<storage, read> rw: array<f32>',
  prm: 'var<storage, read> prm: array<f32>',
  vals: 'var<storage, read_write> vals: array<f32>',
  flows: 'var<storage, read_write> flows: array<f32>',
  mbuf: 'var<storage, read_write> mbuf: array<f32>',
  scr: 'var<storage, read_write> scr: array<f32>',
  stats: 'var<storage, read_write> stats: array<f32>',
  ll: 'var<storage, read_write> ll: array<f32>',
};

/** The declarations of a kernel's bindings, in order, and the shared constants. */
function header(bindings: readonly BufferName[], B: number, V: number, readOnly: readonly BufferName[] = []): string {
  const decl = bindings.map((b, i) => {
    const t = readOnly.includes(b) ? TYPES[b].replace('read_write', 'read') : TYPES[b];
    return `@group(0) @binding(${i}) ${t};`;
  });
  return [
    'struct Ctl { rows: u32, rowStart: u32, pad0: u32, pad1: u32 }',
    ...decl,
    `const B: u32 = ${B}u;`,
    `const V: u32 = ${V}u;`,
    `const NEG: f32 = ${f32(LOG_ZERO)};`,
    `const ZB: f32 = ${f32(ZERO_BELOW)};`,
    '',
  ].join('\n');
}

class Meta {
  readonly words: number[] = [];
  push(...w: number[]): number {
    const at = this.words.length;
    for (const v of w) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`device table entry ${v} is not a u32`);
      this.words.push(v);
    }
    return at;
  }
}

const ceil = (a: number, b: number): number => Math.ceil(a / b);

function inputTable(meta: Meta, nodes: readonly (DiscreteInput | NormalInput)[], last: (n: DiscreteInput | NormalInput) => number): number {
  const cols = nodes.map((n) => meta.push(...n.cols));
  const at = meta.words.length;
  nodes.forEach((n, k) => meta.push(n.off, n.units, n.cols.length, cols[k]!, last(n), n.table, n.stats));
  return at;
}

function discreteForward(meta: Meta, nodes: readonly DiscreteInput[], B: number, V: number): Kernel {
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

function normalForward(meta: Meta, nodes: readonly NormalInput[], B: number, V: number): Kernel {
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

function productForward(meta: Meta, nodes: readonly ProductNodeOp[], B: number, V: number): Kernel {
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
function sumTables(meta: Meta, g: SumGroup): { MO: number; MS: number } {
  const MO = meta.push(...g.outOff);
  const MS = meta.push(...g.srcOff.flatMap((o, k) => [o, g.srcUnits[k]!]));
  return { MO, MS };
}

const CH = 256;

function sumForward(g: SumGroup, t: { MO: number; MS: number }, B: number, V: number, choice: SumKernelChoice): Kernel[] {
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

function sumBackward(g: SumGroup, t: { MO: number; MS: number }, B: number, V: number): Kernel[] {
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

function productBackward(meta: Meta, edges: readonly ProductEdge[], B: number, V: number): Kernel {
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

function discreteStats(meta: Meta, nodes: readonly DiscreteInput[], B: number, V: number): Kernel {
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

function normalStats(meta: Meta, nodes: readonly NormalInput[], B: number, V: number): Kernel {
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

function collect(rootOff: number, B: number, V: number): Kernel {
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

/**
 * sumKernel: the folded sums' forward kernel, 'auto' (the size rule of sum-tiled.ts), or one
 * kernel for all (tests compare them).
 */
export function deviceProgram(plan: CircuitPlan, opts: { sumKernel?: SumKernelChoice } = {}): DeviceProgram {
  const { B, V } = plan;
  const meta = new Meta();
  const forward: Kernel[] = [];
  const sumT = new Map<SumGroup, { MO: number; MS: number }>();
  for (const op of plan.forward) {
    if (op.kind === 'discrete') forward.push(discreteForward(meta, op.nodes, B, V));
    else if (op.kind === 'normal') forward.push(normalForward(meta, op.nodes, B, V));
    else if (op.kind === 'product') forward.push(productForward(meta, op.nodes, B, V));
    else {
      const t = sumTables(meta, op.group);
      sumT.set(op.group, t);
      forward.push(...sumForward(op.group, t, B, V, opts.sumKernel ?? 'auto'));
    }
  }
  forward.push(collect(plan.rootOff, B, V));
  const backward: Kernel[] = [];
  for (const op of plan.backward) {
    if (op.kind === 'sum') backward.push(...sumBackward(op.group, sumT.get(op.group)!, B, V));
    else backward.push(productBackward(meta, op.edges, B, V));
  }
  if (plan.discrete.length) backward.push(discreteStats(meta, plan.discrete, B, V));
  if (plan.normal.length) backward.push(normalStats(meta, plan.normal, B, V));
  return {
    B, V, meta: meta.words,
    sizes: { vals: B * plan.totalUnits, prm: plan.prmLen, stats: plan.statsLen, mbuf: plan.mLen, scr: plan.scratchLen },
    forward, backward,
  };
}
