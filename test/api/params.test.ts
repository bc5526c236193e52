// Model.params(): the fitted parameters by the names written in the model (issue 19).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';

const root = new URL('../../', import.meta.url).pathname;

describe('Model.params()', () => {
  it('a written-out mixture: weights and each leaf by variable name, exactly as written', () => {
    const m = compile(
      'model M = mixture(weights = [0.3, 0.7]) {\n' +
        '  product { x: Normal(mean = 1, sd = 2), c: Categorical(probs = [0.2, 0.8]) },\n' +
        '  product { x: Normal(mean = -1, sd = 0.5), c: Categorical(probs = [0.6, 0.4]) }\n' +
        '}',
    ).model('M');
    const p = m.params();
    expect(p.kind).toBe('mixture');
    expect(p.weights).toEqual([0.3, 0.7]);
    expect(p.components.map((c) => c.component)).toEqual([1, 2]);
    const [x2, c2] = p.components[1]!.leaves;
    expect(x2).toMatchObject({ distribution: 'Normal', variables: ['x'] });
    expect(x2!.params.mean).toEqual({ x: -1 });
    expect(Object.values(x2!.params).length).toBe(2);
    expect(c2!.variables).toEqual(['c']);
    expect(Object.values(c2!.params.probs as Record<string, number>)).toEqual([0.6, 0.4]);
  });

  it('a fitted full-covariance mixture: means by variable, covariances in variable order, levels by name', () => {
    const src = readFileSync(join(root, 'examples/cars.pmix'), 'utf8');
    const program = compile(src, { file: join(root, 'examples/cars.pmix') });
    program.run();
    const m = program.model('Cars');
    const p = m.params();
    expect(p.components).toHaveLength(4);
    expect(p.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // The same numbers as the artifact holds under its internal names (n0.mean, n0.cov, n1.probs).
    const ir = JSON.parse(m.save()).ir;
    for (const c of p.components) {
      const u = c.component - 1;
      const [normal, cyl, origin] = c.leaves;
      expect(normal!.variables).toEqual(['mpg', 'horsepower', 'weight']);
      expect(normal!.params.mean).toEqual({ mpg: ir.params['n0.mean'].value[3 * u], horsepower: ir.params['n0.mean'].value[3 * u + 1], weight: ir.params['n0.mean'].value[3 * u + 2] });
      const cov = normal!.params.cov as number[][];
      expect(cov.flat()).toEqual(ir.params['n0.cov'].value.slice(9 * u, 9 * u + 9));
      expect(cov[0]![1]).toBe(cov[1]![0]);
      expect(Object.keys(cyl!.params.probs as object)).toEqual(['3', '4', '5', '6', '8']);
      expect(Object.keys(origin!.params.probs as object)).toEqual(['USA', 'Europe', 'Japan']);
      expect(c.weight).toBe(ir.params['n4.weights'].value[u]);
    }
  });

  // Every built-in family has a view now (test/api/params-families.test.ts): a nested mixture,
  // which had none, gets the generic node view.
  it('a nested mixture: the generic node view, the inner weights as written', () => {
    const m = compile('model M(x) = mixture(weights = [0.4, 0.6]) {\n  mixture(weights = [0.1, 0.9]) { Normal(mean = 0, sd = 1), Normal(mean = 3, sd = 1) },\n  Normal(mean = -2, sd = 2)\n}').model('M');
    const p = m.params();
    expect(p.kind).toBe('graph');
    if (p.kind !== 'graph') return;
    const weights = p.nodes.filter((n) => n.params.weights).map((n) => n.params.weights!.value);
    expect(weights).toEqual(expect.arrayContaining([[0.1, 0.9], [0.4, 0.6]]));
    expect(p.nodes.at(-1)!.params.weights!.value).toEqual([0.4, 0.6]);
  });
});
