// The API's plain objects are bound to the model's variables: a key that is not a variable is
// an error naming it (with "did you mean", and the row), NaN and infinities are errors, null
// and undefined mean missing. Before, a misspelled key was silently marginalized.
import { describe, expect, it } from 'vitest';
import { compile, PmixInputError } from '../../api/index.js';

// Fixed parameters: answers have closed forms, no fit needed.
const M = () => compile('model M(x, y, c) = product { x: Normal(mean = 0, sd = 1), y: Normal(mean = 1, sd = 2), c: Categorical(probs = [0.25, 0.75]) }').model('M');
const LOG_N01_AT_0 = -0.5 * Math.log(2 * Math.PI);

function thrown(fn: () => unknown): PmixInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PmixInputError);
    return e as PmixInputError;
  }
  throw new Error('expected a PmixInputError');
}

describe('API keys and values', () => {
  it('null, undefined and absent keys are missing (marginalized)', () => {
    const m = M();
    const lp = m.logProb([{ x: 0 }, { x: 0, y: null }, { x: 0, y: undefined, c: null }]);
    for (const v of lp) expect(v).toBeCloseTo(LOG_N01_AT_0, 12);
    expect(m.logProb({ x: [0, 0], y: [null, 1] })[1]).toBeCloseTo(LOG_N01_AT_0 - 0.5 * Math.log(2 * Math.PI * 4), 12);
  });

  it('an unknown key in logProb/posterior rows is an error naming the key and row, with did-you-mean', () => {
    const m = M();
    const e = thrown(() => m.logProb([{ x: 0 }, { x: 1, yy: 2 }]));
    expect(e.key).toBe('yy');
    expect(e.row).toBe(1);
    expect(e.message).toContain("row 2, key 'yy' is not a variable of model 'M' (its variables: x, y, c)");
    expect(e.message).toContain("hint: did you mean 'y'?");
    // Object-of-columns rows: the key alone.
    expect(thrown(() => m.logProb({ x: [0], z: [1] })).message).toContain("key 'z' is not a variable of model 'M'");
    // The misspelling from issue 14: it used to answer the marginal density.
    const penguins = compile('model P(flipper_length_mm) = Normal(mean = 200, sd = 14)').model('P');
    const f = thrown(() => penguins.logProb([{ flipper_lenght_mm: 190 }]));
    expect(f.message).toContain("did you mean 'flipper_length_mm'?");
    expect(f.key).toBe('flipper_lenght_mm');
  });

  it('NaN and infinite values are errors naming the row and key', () => {
    const m = M();
    const e = thrown(() => m.logProb([{ x: 0 }, { x: NaN }]));
    expect([e.key, e.row]).toEqual(['x', 1]);
    expect(e.message).toContain("row 2, key 'x': NaN is not a value a model can take (null or undefined means missing)");
    expect(thrown(() => m.logProb({ y: [1, -Infinity] })).message).toContain("row 2, key 'y': -Infinity is not a value");
  });

  it('map and condition refuse unknown keys and NaN; they answer the closed forms otherwise', () => {
    const m = M();
    expect(thrown(() => m.map({ yy: 1 })).message).toContain("map(evidence): key 'yy' is not a variable of model 'M'");
    expect(thrown(() => m.map({ y: NaN })).message).toContain("map(evidence): key 'y': NaN is not a value");
    const c = thrown(() => m.condition(['x'], { cc: 'a' }));
    expect(c.key).toBe('cc');
    expect(c.message).toContain("did you mean 'c'?");
    expect(thrown(() => m.condition(['xx'], {})).message).toContain("condition(target, evidence): 'xx' is not a variable of model 'M'");
    // Values the binder refuses (c is a two-level Categorical without data: bool) are errors too.
    expect(thrown(() => m.condition(['x'], { c: 'z' })).message).toBe("<condition>: error: 'c' is bool: give true or false");
    const d = m.condition(['x', 'y'], { c: null });
    expect(d.kind === 'distribution' && d.summary.map((s) => [s.mean, s.sd])).toEqual([[0, 1], [1, 2]]);
    const mode = m.map({ y: 3, c: null });
    expect(mode.point.x).toBeCloseTo(0, 6);
  });

  it('sample builds its query from numbers (no text): counts are checked, seeds reproduce', () => {
    const m = M();
    expect(m.sample(4, { seed: 3 })).toEqual(m.sample(4, { seed: 3 }));
    expect(m.sample(4, { seed: 3 })).toHaveLength(4);
    expect(thrown(() => m.sample(0)).message).toContain('sample(n) needs a whole number n between 1 and 10,000,000');
    expect(thrown(() => m.sample(Number('abc'))).message).toContain('sample(n) needs a whole number');
  });
});
