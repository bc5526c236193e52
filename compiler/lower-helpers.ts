// Small helpers of lowering: describing types and values in messages, repeating per-unit values.
import type { Span } from '../language/index.js';
import type { Value } from './constants.js';
import type { VarType } from '../ir/types.js';

export function levelsOf(t: VarType): number {
  return t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
}

export function describeType(t: VarType): string {
  switch (t.kind) {
    case 'categorical':
      return `a categorical column (levels ${t.levels.slice(0, 4).join(', ')}${t.levels.length > 4 ? ', ...' : ''})`;
    case 'bool':
      return 'a bool column';
    case 'int':
      return 'an int column';
    case 'real':
      return 'a real column';
  }
}

export function repeat(v: readonly number[], times: number): number[] {
  const out = new Array<number>(v.length * times);
  for (let t = 0; t < times; t++) for (let i = 0; i < v.length; i++) out[t * v.length + i] = v[i]!;
  return out;
}

/** 100000000 -> '100,000,000'; 2.5e11 -> '2.5e+11' */
export function big(n: number): string {
  return n < 1e15 ? n.toLocaleString('en-US') : n.toExponential(2);
}

export function show(v: Value): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

export function src(span: Span): { line: number; column: number } {
  return { line: span.startLine, column: span.startColumn };
}
