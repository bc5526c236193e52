import { describe, expect, it } from 'vitest';
import type { QueryDecl } from '../../language/ast.js';
import { parseProgram, parseQuery } from '../../language/parse.js';
import { strip } from './helpers.js';

const num = (value: number) => ({ kind: 'number', value });
const id = (n: string) => ({ name: n });
const assign = (n: string, value: unknown) => ({ name: id(n), value });

function ok(text: string): unknown {
  const { query, diagnostics } = parseQuery(text);
  expect(diagnostics).toEqual([]);
  return strip(query);
}

function bad(text: string) {
  const { query, diagnostics } = parseQuery(text);
  expect(query).toBeUndefined();
  expect(diagnostics).toHaveLength(1);
  return diagnostics[0]!;
}

describe('query forms', () => {
  it('logp and p with assignments are densities', () => {
    expect(ok('logp(x = 1, y = -2)')).toEqual({
      kind: 'density', log: true, target: [assign('x', num(1)), assign('y', { kind: 'unary', op: '-', operand: num(2) })], given: [],
    });
    expect(ok('logp(x = 1 | y = 2, z = "a")')).toEqual({
      kind: 'density', log: true, target: [assign('x', num(1))], given: [assign('y', num(2)), assign('z', { kind: 'string', value: 'a' })],
    });
    expect(ok('p(ok = true)')).toEqual({
      kind: 'density', log: false, target: [assign('ok', { kind: 'name', name: 'true' })], given: [],
    });
  });

  it('p with names is a distribution', () => {
    expect(ok('p(x)')).toEqual({ kind: 'distribution', target: [id('x')], given: [] });
    expect(ok('p(x, y | z = 2,)')).toEqual({ kind: 'distribution', target: [id('x'), id('y')], given: [assign('z', num(2))] });
  });

  it('posterior, sample, mode, mean', () => {
    expect(ok('posterior(x = 1, y = 2)')).toEqual({ kind: 'posterior', evidence: [assign('x', num(1)), assign('y', num(2))] });
    expect(ok('posterior()')).toEqual({ kind: 'posterior', evidence: [] });
    expect(ok('sample(5)')).toEqual({ kind: 'sample', args: [], count: num(5) });
    expect(ok('sample(5, seed = 2)')).toEqual({ kind: 'sample', args: [assign('seed', num(2))], count: num(5) });
    expect(ok('sample(seed = 2)')).toEqual({ kind: 'sample', args: [assign('seed', num(2))] });
    expect(ok('sample()')).toEqual({ kind: 'sample', args: [] });
    expect(ok('mode()')).toEqual({ kind: 'mode', given: [] });
    expect(ok('mode(y = 2)')).toEqual({ kind: 'mode', given: [assign('y', num(2))] });
    expect(ok('mode(| y = 2)')).toEqual({ kind: 'mode', given: [assign('y', num(2))] });
    expect(ok('mean()')).toEqual({ kind: 'mean', target: [], given: [] });
    expect(ok('mean(x | y = 2)')).toEqual({ kind: 'mean', target: [id('x')], given: [assign('y', num(2))] });
  });

  it('spans the whole query text', () => {
    const text = '  mean(x | y = 2)  ';
    const { query } = parseQuery(text);
    expect(query?.span).toMatchObject({ startOffset: 2, endOffset: 17 });
  });

  it('keeps any other form as a call for the binder (a family may answer it; else the binder says "did you mean")', () => {
    expect(ok('lopg(x = 1)')).toEqual({ kind: 'call', form: id('lopg'), items: [{ kind: 'assignment', assignment: assign('x', num(1)) }], given: [] });
    expect(ok('modes(x, bandwidth = 2 | y = "a")')).toEqual({
      kind: 'call',
      form: id('modes'),
      items: [{ kind: 'expr', expr: { kind: 'name', name: 'x' } }, { kind: 'assignment', assignment: assign('bandwidth', num(2)) }],
      given: [assign('y', { kind: 'string', value: 'a' })],
    });
  });

  it('rejects queries whose items do not fit the form', () => {
    expect(bad('p(x, y = 2)')).toMatchObject({ code: 'syntax', message: "p(...) mixes variables and assignments before '|'" });
    expect(bad('p(y = 2, x)').message).toBe("p(...) mixes variables and assignments before '|'");
    expect(bad('logp(x)').message).toBe("expected '=' after 'x' in logp(...)");
    expect(bad('logp()').message).toMatch(/needs at least one/);
    expect(bad('p(| y = 1)').message).toMatch(/needs at least one/);
    expect(bad('p(x + 1)').message).toMatch(/expected an assignment/);
    expect(bad('posterior(x = 1 | y = 2)').message).toBe("posterior(...) takes no '|'");
    expect(bad('sample(5, 6)').message).toMatch(/expected an argument/);
    // sample(5 | y = 1) is conditional sampling (test/circuits/queries/syntax.test.ts).
    expect(bad('sample(5 | y in [0, 1])').message).toMatch(/expected/);
    expect(bad('mode(x)').message).toBe("expected '=' after 'x' in mode(...)");
    expect(bad('mean(x = 1)').message).toMatch(/expected a variable name in mean/);
    const d = bad('p(x, y = 2)');
    expect(d.span).toMatchObject({ startOffset: 5, endOffset: 10 });
  });

  it('reports syntax errors once, with positions', () => {
    expect(bad('logp(x = 1')).toMatchObject({ message: "expected ')' but found end of input", span: { startOffset: 10, endOffset: 10 } });
    expect(bad('logp(x = 1) extra')).toMatchObject({ message: "expected end of input but found 'extra'" });
    expect(bad('')).toMatchObject({ message: 'expected a query such as logp(x = 1) but found end of input' });
    expect(bad('logp(x = 1 @)')).toMatchObject({ code: 'lex' });
    expect(parseQuery('logp(x =)', 'cli').diagnostics[0]!.file).toBe('cli');
  });

  it('reads the query of a query statement the same way', () => {
    const { program, diagnostics } = parseProgram('query M: mean(x | y = 2)', 'f.pmix');
    expect(diagnostics).toEqual([]);
    const q = program.statements[0] as QueryDecl;
    expect(strip(q.query)).toEqual(strip(parseQuery('mean(x | y = 2)').query));
  });
});
