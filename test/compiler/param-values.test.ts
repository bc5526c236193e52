import { describe, expect, it } from 'vitest';
import { paramValueProblem } from '../../compiler/param-values.js';

// A bounded parameter optimized in log space can come back a few ulps outside its bound
// (exp(log(1e-10)) - 1e-10 != 0 in float64); an artifact saved at the bound must load again.
describe('bounded parameter values', () => {
  const param = { kind: 'bounded', lower: 1e-10, upper: 1e10 } as const;
  it('accepts values within rounding of either bound', () => {
    expect(paramValueProblem(param, [1], [9.999999999999996e-11])).toBeUndefined();
    expect(paramValueProblem(param, [1], [Math.exp(Math.log(1e-10))])).toBeUndefined();
    expect(paramValueProblem(param, [1], [1e10 * (1 + 4e-16)])).toBeUndefined();
  });
  it('refuses values truly outside, naming the entry and the interval', () => {
    expect(paramValueProblem(param, [2], [1, 0.99e-10])).toBe('entry 1 is 9.9e-11 but must lie in [1e-10, 10000000000]');
    expect(paramValueProblem(param, [1], [1e10 * (1 + 1e-9)])).toMatch(/^entry 0 is .* but must lie in/);
  });
});
