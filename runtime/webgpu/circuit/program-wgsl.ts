// The shared parts of a circuit's device program (program.ts): the kernels' buffer names and
// WGSL binding declarations, the u32 table (meta) the kernels read, and the input nodes' rows of it.
//
// Log 0 is the finite LOG_ZERO (WGSL may assume finite floats); values below ZERO_BELOW are 0.
import { LOG_ZERO, ZERO_BELOW, type DiscreteInput, type NormalInput } from './plan.js';

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

export const WG = 64;
export const f32 = (v: number): string => {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

export const TYPES: Record<BufferName, string> = {
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
export function header(bindings: readonly BufferName[], B: number, V: number, readOnly: readonly BufferName[] = []): string {
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

export class Meta {
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

export const ceil = (a: number, b: number): number => Math.ceil(a / b);

export function inputTable(meta: Meta, nodes: readonly (DiscreteInput | NormalInput)[], last: (n: DiscreteInput | NormalInput) => number): number {
  const cols = nodes.map((n) => meta.push(...n.cols));
  const at = meta.words.length;
  nodes.forEach((n, k) => meta.push(n.off, n.units, n.cols.length, cols[k]!, last(n), n.table, n.stats));
  return at;
}

