// The query syntax for interval probabilities (`p(x in [0, 1])`) and conditional sampling
// (`sample(10 | x = 1)`), and the diagnostics of their misuse.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../language/parse.js';
import { strip } from '../../language/helpers.js';

const num = (value: number) => ({ kind: 'number', value });
const id = (n: string) => ({ name: n });

function ok(text: string): unknown {
  const { query, diagnostics } = parseQuery(text);
  expect(diagnostics, text).toEqual([]);
  return strip(query);
}

function bad(text: string): string {
  const { query, diagnostics } = parseQuery(text);
  expect(query).toBeUndefined();
  expect(diagnostics).toHaveLength(1);
  return diagnostics[0]!.message;
}

describe('interval queries', () => {
  it('p(x in [a, b], ...) is a density query with intervals', () => {
    expect(ok('p(x in [0, 1])')).toEqual({ kind: 'density', log: false, target: [], given: [], intervals: [{ name: id('x'), lower: num(0), upper: num(1) }] });
    expect(ok('logp(x in [0, 1], y in [2, 3] | z = 1)')).toEqual({
      kind: 'density', log: true, target: [], given: [{ name: id('z'), value: num(1) }],
      intervals: [{ name: id('x'), lower: num(0), upper: num(1) }, { name: id('y'), lower: num(2), upper: num(3) }],
    });
    expect(ok('p(x in [-1, 1], c = "a")')).toMatchObject({ kind: 'density', target: [{ name: id('c') }], intervals: [{ name: id('x') }] });
  });

  it('are refused where they mean nothing', () => {
    expect(bad('mode(x in [0, 1])')).toMatch(/takes no interval/);
    expect(bad('posterior(x in [0, 1])')).toMatch(/takes no interval/);
    expect(bad('p(y, x in [0, 1])')).toMatch(/mixes variables and assignments/);
    expect(bad('mean(x in [0, 1])')).toMatch(/expected a variable name/);
    expect(bad('sample(3, x in [0, 1])')).toMatch(/expected an argument/);
  });
});

describe('conditional sampling', () => {
  it('sample(n | ...) carries the evidence', () => {
    expect(ok('sample(5 | x = 1)')).toEqual({ kind: 'sample', args: [], count: num(5), given: [{ name: id('x'), value: num(1) }] });
    expect(ok('sample(5, seed = 2 | x = 1, y = 2)')).toMatchObject({ kind: 'sample', args: [{ name: id('seed') }], given: [{ name: id('x') }, { name: id('y') }] });
    expect(ok('sample(5)')).toEqual({ kind: 'sample', args: [], count: num(5) });
  });
});
