// The folded sum layer's forward pass shaped for real GPUs: a 16 x 16 workgroup computes a tile
// of 16 rows x 16 units of one node as a tiled matmul, staging exp(A - m) of its rows and W^T of
// its units in workgroup memory 16 inputs at a time, so each weight is read once per 16 rows
// (the per-row kernel of program.ts reads W once per row). The max-shift m of each (node, row)
// comes from program.ts's max pass (two passes: max, then exp-matmul-log).
import type { SumGroup } from './plan.js';

export const SUM_TILE = 16;

/** 'tiled' where a node has enough units to fill a tile's columns, else the per-row kernel. */
export type SumKernelChoice = 'auto' | 'tiled' | 'per-row';

/** The size rule: tiles pay once a node has at least 16 units (a full row of the tile) and the batch 16 rows. */
export function useTiledSum(g: Pick<SumGroup, 'U'>, B: number, choice: SumKernelChoice = 'auto'): boolean {
  if (choice !== 'auto') return choice === 'tiled';
  return g.U >= SUM_TILE && B >= SUM_TILE;
}

/** Workgroups [x, y] of the tiled kernel: row tiles, then (node, unit tile) pairs. */
export function tiledSumGroups(g: Pick<SumGroup, 'U' | 'F'>, B: number): [number, number] {
  return [Math.ceil(B / SUM_TILE), g.F * Math.ceil(g.U / SUM_TILE)];
}

/**
 * The kernel's body after program.ts's header (bindings ctl, meta, prm, vals, mbuf; constants
 * B, NEG): MO and MS are the fold's output and source tables in meta.
 */
export function tiledSumWgsl(g: SumGroup, MO: number, MS: number): string {
  const T = SUM_TILE;
  const UT = Math.ceil(g.U / T);
  return `const U: u32 = ${g.U}u;
const I: u32 = ${g.I}u;
var<workgroup> te: array<array<f32, ${T}>, ${T}>;
var<workgroup> tw: array<array<f32, ${T}>, ${T}>;
fn inA(f: u32, b: u32, i: u32) -> f32 {
  let k = ${MS}u + (f * I + i) * 2u;
  return vals[tab[k] + b * tab[k + 1u]];
}
@compute @workgroup_size(${T}, ${T}) fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let f = w.y / ${UT}u;
  let u0 = (w.y % ${UT}u) * ${T}u;
  // Thread (l.x, l.y) computes row b = w.x * T + l.y, unit u = u0 + l.x; it stages row l.y's
  // input l.x and input l.y's weight for unit l.x.
  let b = w.x * ${T}u + l.y;
  let u = u0 + l.x;
  let live = b < ctl.rows;
  var m = 0.0;
  if (live) { m = mbuf[${g.m}u + f * B + b]; }
  var s = 0.0;
  for (var c0 = 0u; c0 < I; c0 += ${T}u) {
    let ka = c0 + l.x;
    var e = 0.0;
    if (live && ka < I) { e = exp(inA(f, b, ka) - m); }
    te[l.y][l.x] = e;
    let kw = c0 + l.y;
    var wv = 0.0;
    if (kw < I && u < U) { wv = prm[${g.wt}u + (f * I + kw) * U + u]; }
    tw[l.y][l.x] = wv;
    workgroupBarrier();
    for (var k = 0u; k < ${T}u; k++) { s += te[l.y][k] * tw[k][l.x]; }
    workgroupBarrier();
  }
  if (live && u < U) {
    var o = NEG;
    if (s > 0.0) { o = log(s) + m; }
    vals[tab[${MO}u + f] + b * U + u] = o;
  }
}`;
}
