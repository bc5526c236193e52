import { expect } from 'vitest';
import type { Program, Span, Statement } from '../../language/ast.js';
import { parseProgram } from '../../language/parse.js';

/** A copy without `span` fields (and `fixed` spans turned into `true`), for structural checks. */
export function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span') continue;
      out[k] = k === 'fixed' ? true : strip(v);
    }
    return out;
  }
  return value;
}

/** Parses text that must be free of diagnostics. */
export function parseOk(text: string): Program {
  const { program, diagnostics } = parseProgram(text, 'test.pmix');
  expect(diagnostics).toEqual([]);
  return program;
}

export function only(text: string): Statement {
  const program = parseOk(text);
  expect(program.statements).toHaveLength(1);
  return program.statements[0]!;
}

/** The source text a span covers. */
export function textOf(source: string, span: Span): string {
  return source.slice(span.startOffset, span.endOffset);
}

/** Checks that a span's lines and columns agree with its offsets. */
export function expectConsistentSpan(source: string, span: Span): void {
  expect(span.startOffset).toBeGreaterThanOrEqual(0);
  expect(span.endOffset).toBeGreaterThanOrEqual(span.startOffset);
  expect(span.endOffset).toBeLessThanOrEqual(source.length);
  const pos = (offset: number): [number, number] => {
    const before = source.slice(0, offset).split(/\r\n|\r|\n/);
    return [before.length, before[before.length - 1]!.length + 1];
  };
  expect([span.startLine, span.startColumn]).toEqual(pos(span.startOffset));
  expect([span.endLine, span.endColumn]).toEqual(pos(span.endOffset));
}
