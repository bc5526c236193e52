// Names users write are looked up as own entries of pmix's tables (never what a plain object
// inherits: __proto__, constructor, toString), and expressions nested past the evaluators'
// depth get a diagnostic on the statement instead of a stack overflow (found by adversarial runs).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { parseQuery } from '../../language/index.js';
import { Session } from '../../session/session.js';

function messages(text: string): string[] {
  const { program, diagnostics } = compile(text, 'm.pmix');
  const out = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`);
  if (program && out.length === 0) out.push(...new Session(program).check().map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`));
  return out;
}

describe('names looked up through the prototype chain', () => {
  for (const name of ['__proto__', 'toString', 'hasOwnProperty', 'constructor']) {
    it(`fit ... by ${name} is an unknown fit method`, () => {
      expect(messages(`data d from "x.csv" { x: real }\nmodel M = Normal\nfit M on d by ${name}`)).toEqual([`3:15: unknown fit method '${name}' (known: em, adam, lbfgs, incremental, online)`]);
    });
    it(`integral ... by ${name}(points = 4) is an unknown quadrature rule`, () => {
      const m = messages(`model W(x) = integral z: real in [-1, 1] by ${name}(points = 4) of Normal(mean = z, sd = 1)`);
      expect(m).toHaveLength(1);
      expect(m[0]).toMatch(new RegExp(`^1:\\d+: unknown quadrature rule '${name}'`));
    });
    it(`a circuit's integral ${name}(...) is an unknown quadrature rule`, () => {
      const m = messages(`model C(a, b) = circuit { region linear  integral ${name}(points = 4) }`);
      expect(m.some((x) => x.includes(`unknown quadrature rule '${name}'`))).toBe(true);
    });
    it(`fit arguments named ${name} are unknown arguments`, () => {
      const m = messages(`data d from "x.csv" { x: real }\nmodel M = Normal\nfit M on d by em(${name} = 1)`);
      expect(m).toEqual([expect.stringMatching(new RegExp(`^3:18: em has no argument '${name}'`))]);
    });
    it(`a constant named ${name} is unknown unless defined`, () => {
      expect(messages(`model M(x) = Normal(mean = ${name}, sd = 1)`)).toEqual([`1:28: unknown name '${name}' in an expression`]);
    });
  }
});

describe('expressions nested past the evaluators', () => {
  const sum = (n: number): string => Array.from({ length: n }, () => '1').join(' + ');
  it('a 4,000-term let is refused on its statement, not a stack overflow', () => {
    expect(messages(`let a = ${sum(4000)}\nmodel M(x) = Normal(mean = a, sd = 1)`)).toEqual(['1:1: an expression here nests more than 500 levels deep, more than pmix evaluates']);
  });
  it('a 400-term let still evaluates', () => {
    const { program } = compile(`let a = ${sum(400)}\nmodel M(x) = Normal(mean = a, sd = 1)`, 'm.pmix');
    expect(program!.constants.get('a')).toBe(400);
  });
  it('a 4,000-term query value is refused by the query parser', () => {
    const r = parseQuery(`logp(x = ${sum(4000)})`);
    expect(r.query).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message)).toEqual(['an expression here nests more than 500 levels deep, more than pmix evaluates']);
  });
});

describe('rows given as columns', () => {
  it('a variable named toString is not found on Object.prototype: absent, it is missing or an error', async () => {
    const { compile: compileApi } = await import('../../api/index.js');
    const m = compileApi('model M(x, toString) = product { x: Normal(mean = 0, sd = 1), toString: Normal(mean = 0, sd = 1) }').model('M');
    expect(m.logProb({ x: [0] })[0]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 12);
    const f = compileApi('data d from "d.csv" { x: real  toString: real }\nmodel F = product { x: Normal, toString: Normal }\nfit F on d by em').model('F');
    await expect(f.fit({ x: [0, 1, 2] })).rejects.toThrow(/uses 'toString' but data set .* has no such column/);
  });
});
