// Queries with values at the edges of float64 (1e300, -1e300, denormals, zero-density
// evidence): a finite answer, the exact -Infinity of a zero density, or a QueryError that
// says why; never NaN.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../language/parse.js';
import type { QueryAnswer } from '../../../runtime/queries/answer.js';
import { QueryError } from '../../../runtime/queries/evidence.js';
import { familyOf } from '../../../families/index.js';
import { modelState } from '../../helpers/programs.js';
import { findNaN } from '../../fuzz/pipeline.js';

const G = modelState(
  `model G(x, y) = mixture(weights = [0.3, 0.7]) {
  Normal(mean = [0, 1], cov = [[1, 0.5], [0.5, 2]]),
  Normal(mean = [3, -1], cov = [[0.5, -0.2], [-0.2, 1]]) }`,
  'G',
);
const P = modelState('model P(n) = mixture(weights = [0.5, 0.5]) { Poisson(rate = 2), Poisson(rate = 30) }', 'P');
const W = modelState('model W(x) = mixture(weights = [0.3, 0.7]) { Normal(mean = 0, sd = 1), Normal(mean = 1e300, sd = 1) }', 'W');

function ask(state: typeof G, text: string): QueryAnswer {
  const { query, diagnostics } = parseQuery(text);
  expect(diagnostics).toEqual([]);
  return familyOf(state.graph).answer(state, query!, { vars: state.graph.vars, file: '<query>', constants: new Map() });
}

function refused(state: typeof G, text: string, why: RegExp): void {
  expect(() => ask(state, text)).toThrow(QueryError);
  expect(() => ask(state, text)).toThrow(why);
}

describe('extreme values in queries', () => {
  it('the density far out is exactly zero (log -Infinity), never NaN', () => {
    for (const v of ['1e300', '-1e300', '1e200']) {
      const a = ask(G, `logp(x = ${v})`);
      expect(a.kind === 'density' && a.logValue).toBe(-Infinity);
      const b = ask(G, `p(x = ${v}, y = 1)`);
      expect(b.kind === 'density' && b.value).toBe(0);
    }
  });

  it('denormal and tiny values give finite answers', () => {
    for (const q of ['logp(x = 5e-324)', 'logp(x = 5e-324, y = -5e-324)', 'p(y | x = 5e-324)', 'mean(y | x = 1e-300)', 'posterior(x = 5e-324)', 'mode(x = 5e-324)']) {
      const a = ask(G, q);
      expect(findNaN(a), q).toBeUndefined();
      expect(JSON.stringify(a), q).not.toMatch(/null/);
    }
  });

  it('conditioning on zero-density evidence is refused with a reason', () => {
    refused(G, 'p(y | x = 1e300)', /zero density/);
    refused(G, 'logp(y = 1 | x = -1e300)', /zero density/);
    refused(G, 'mean(y | x = 1e300)', /zero density/);
    refused(G, 'mode(x = 1e300)', /zero density/);
    refused(G, 'posterior(x = 1e300, y = 0)', /zero density under every component/);
    refused(P, 'p(n = 2 | n = 3)', /given twice|both/);
  });

  it('huge counts for discrete variables', () => {
    for (const v of ['1e15', '1e300']) {
      const a = ask(P, `logp(n = ${v})`);
      expect(a.kind === 'density' && !Number.isNaN(a.logValue), v).toBe(true);
    }
    refused(P, 'logp(n = 2.5)', /is int: give an integer/);
  });

  it('moments of components near 1e300 stay finite', () => {
    const a = ask(W, 'p(x)');
    expect(a.kind).toBe('distribution');
    if (a.kind !== 'distribution') return;
    expect(a.summary[0]!.mean).toBeCloseTo(7e299, -290);
    expect(Number.isFinite(a.summary[0]!.sd)).toBe(true);
    expect(a.summary[0]!.sd! / 1e300).toBeCloseTo(Math.sqrt(0.21), 6);
    expect(findNaN(ask(W, 'mode()'))).toBeUndefined();
  });

  it('sample counts beyond the limit or not whole are refused', () => {
    for (const n of ['1e300', '1e9', '0', '-1', '2.5']) refused(G, `sample(${n})`, /whole number n between 1 and 10,000,000/);
  });
});
