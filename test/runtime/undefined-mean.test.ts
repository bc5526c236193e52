// A mean that does not exist (StudentT with df <= 1) is reported as a query error, not NaN;
// where it exists the answer stays a number (found by the long artifact fuzz run).
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../language/parse.js';
import { QueryError } from '../../runtime/queries/evidence.js';
import { familyOf } from '../../families/index.js';
import { modelState } from '../helpers/programs.js';

const ask = (text: string, q: string) => {
  const state = modelState(text, 'M');
  return familyOf(state.graph).answer(state, parseQuery(q).query!, { vars: state.graph.vars, file: '<q>', constants: new Map() });
};

describe('means that do not exist', () => {
  it('mean() of a StudentT with df <= 1 is a query error naming the variable', () => {
    for (const df of [0.5, 1]) {
      expect(() => ask(`model M(x) = StudentT(df = ${df}, loc = 2, scale = 1)`, 'mean()')).toThrow(QueryError);
      expect(() => ask(`model M(x) = StudentT(df = ${df}, loc = 2, scale = 1)`, 'mean()')).toThrow(/'x' has no mean/);
    }
  });

  it('with df > 1 the mean is the location, also inside a mixture', () => {
    const a = ask('model M(x) = StudentT(df = 1.5, loc = 2, scale = 1)', 'mean()') as { summary: { mean: number }[] };
    expect(a.summary[0]!.mean).toBeCloseTo(2, 12);
    const b = ask('model M(x) = mixture(weights = [0.5, 0.5]) { StudentT(df = 3, loc = 0, scale = 1), StudentT(df = 3, loc = 4, scale = 1) }', 'mean()') as { summary: { mean: number }[] };
    expect(b.summary[0]!.mean).toBeCloseTo(2, 12);
  });
});
