import { describe, expect, it } from 'vitest';
import type { LetDecl, ModelDecl } from '../../language/ast.js';
import { parseProgram } from '../../language/parse.js';

function names(text: string): string[] {
  return parseProgram(text, 'f.pmix').program.statements.map((s) => ('name' in s ? s.name.name : s.kind));
}

describe('error recovery', () => {
  it('reports one diagnostic per bad statement and keeps the good ones', () => {
    const src = [
      'data d from "d.csv" { x: real, y: real }', // 1
      'model A = mixture(k = 3 of Normal(full)', // 2: bad
      'model B = Normal(full)', // 3
      'let s = 2 * * 3', // 4: bad
      'let t = s + 1', // 5
      'fit B on d bye em(max_iter = 10)', // 6: bad
      'query B: logp(x = 1)', // 7
    ].join('\n');
    const { program, diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics.map((d) => [d.code, d.span?.startLine])).toEqual([
      ['syntax', 2],
      ['syntax', 4],
      ['syntax', 6],
    ]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "expected ')' but found 'of'",
      "expected an expression but found '*'",
      // 'by' is optional since a KDE is fitted without a method: 'bye' ends the statement too early
      "expected the end of the statement but found 'bye'",
    ]);
    expect(diagnostics.every((d) => d.severity === 'error' && d.file === 'f.pmix')).toBe(true);
    expect(program.statements.map((s) => s.kind)).toEqual(['data', 'model', 'let', 'query']);
    expect((program.statements[1] as ModelDecl).name.name).toBe('B');
    expect((program.statements[2] as LetDecl).name.name).toBe('t');
  });

  it('puts the expected tokens and the offending span on the diagnostic', () => {
    const src = 'model Geyser = mixture(k = 3 of Normal(full)';
    const [d] = parseProgram(src, 'f.pmix').diagnostics;
    expect(d).toEqual({
      severity: 'error',
      code: 'syntax',
      message: "expected ')' but found 'of'",
      span: { startOffset: 29, endOffset: 31, startLine: 1, startColumn: 30, endLine: 1, endColumn: 32 },
      file: 'f.pmix',
      expected: ["')'", "','"],
    });
  });

  it('blames the end of a statement cut short by the next line', () => {
    const src = 'let z =\nmodel B = Normal';
    const { program, diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      message: 'expected an expression but found the end of the statement',
      span: { startOffset: 7, endOffset: 7, startLine: 1, startColumn: 8 },
    });
    expect(program.statements.map((s) => s.kind)).toEqual(['model']);
    expect(parseProgram('let z =', 'f').diagnostics[0]!.message).toBe('expected an expression but found end of input');
  });

  it('treats a keyword in mid-line as part of the bad statement', () => {
    const src = 'fit M on data by em\nlet y = 2\nquery M: logp(model = 1)\nlet w = 3';
    const { diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics.map((d) => [d.message, d.span?.startLine, d.hint])).toEqual([
      ["expected a name but found 'data'", 1, "'data' is a reserved word and cannot be used as a name"],
      ["expected ')' but found 'model'", 3, "'model' is a reserved word and cannot be used as a name"],
    ]);
    expect(names(src)).toEqual(['y', 'w']);
  });

  it('reports stray tokens before the first statement once', () => {
    const { program, diagnostics } = parseProgram('; foo bar baz\nlet x = 1', 'f.pmix');
    expect(diagnostics.map((d) => d.message)).toEqual([
      "expected a statement ('data', 'model', 'let', 'fit' or 'query') but found 'foo'",
    ]);
    expect(program.statements).toHaveLength(1);
    expect(parseProgram('lett x = 1', 'f').diagnostics[0]!.hint).toBe("did you mean 'let'?");
  });

  it('reports redundant input after a complete statement', () => {
    const [d] = parseProgram('model A = Normal(full))', 'f').diagnostics;
    expect(d).toMatchObject({ message: "expected the end of the statement but found ')'", expected: ["';'", 'a new statement'] });
  });

  it('turns lexical errors into diagnostics and drops their statements', () => {
    const src = [
      'let a = 1 @ 2', // 1
      'let b = 1e', // 2
      'data d from "x.csv { a: real }', // 3
      'let c = 3', // 4
      'let e = \'Adelie\'', // 5
      'data f from "a\\n" { }', // 6
      'let g = 4 /* never closed', // 7
    ].join('\n');
    const { program, diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics.map((d) => [d.code, d.span?.startLine, d.message])).toEqual([
      ['lex', 1, "unexpected character '@'"],
      ['lex', 2, "malformed number '1e'"],
      ['lex', 3, 'unterminated string'],
      ['lex', 5, 'strings are written in double quotes'],
      ['lex', 6, "unknown escape '\\n' in string"],
      ['lex', 7, 'unterminated block comment'],
    ]);
    expect(names(src)).toEqual(['c']);
    expect(program.statements).toHaveLength(1);
  });

  it('survives nesting too deep for the stack and parses on', () => {
    const src = `let x = ${'('.repeat(20000)}1\nlet y = ${'-'.repeat(50000)}1\nlet z = 2`;
    const { program, diagnostics } = parseProgram(src, 'f');
    expect(diagnostics.map((d) => [d.code, d.span?.startLine])).toEqual([
      ['too-deep', 1],
      ['too-deep', 2],
    ]);
    expect(names(src)).toEqual(['z']);
    expect(program.statements).toHaveLength(1);
    expect(names('let a = ((((1))))')).toEqual(['a']);
  });

  // Speed is for benchmarks (no timed assertions): this checks recovery keeps its place over many errors.
  it('recovers from 2000 bad statements, one diagnostic each', () => {
    const src = Array.from({ length: 2000 }, (_, i) => `model M${i} = mixture(k = 3 of Normal\nlet ok${i} = ${i}\n`).join('');
    const { program, diagnostics } = parseProgram(src, 'f');
    expect(diagnostics).toHaveLength(2000);
    expect(program.statements).toHaveLength(2000);
  });
});
