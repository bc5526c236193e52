// Lowering model text to IR: the tensorized form of mixtures, products, nesting, tied
// parameters, fixed and bounded parameters.
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { compileOk } from '../helpers/programs.js';

const real = (name: string): IRVariable => ({ name, type: { kind: 'real' } });

function lower(body: string, vars: IRVariable[]) {
  const p = compileOk(`model M = ${body}`);
  return lowerModel(p, 'M', vars);
}

describe('lowering', () => {
  it('a GMM is one input layer of k Normal units under one mixing node', () => {
    const { graph } = lower('mixture(k = 3) of Normal(full)', [real('a'), real('b')]);
    expect(graph!.nodes.map((n) => n.kind)).toEqual(['input', 'mixing']);
    const [inp, mix] = graph!.nodes;
    expect(inp).toMatchObject({ kind: 'input', dist: 'Normal', variant: 'full', units: 3, scope: [0, 1] });
    expect(mix).toMatchObject({ kind: 'mixing', arity: 3, units: 1, children: ['n0'] });
    expect(graph!.params['n0.mean']!.shape).toEqual([3, 2]);
    expect(graph!.params['n0.cov']!.shape).toEqual([3, 2, 2]);
    expect(graph!.params['n1.weights']).toMatchObject({ shape: [1, 3], init: 'data', fixed: false });
    expect(graph!.root).toBe('n1');
  });

  it('nested mixtures replicate units: k2 x k1 leaves, a mixing node per level', () => {
    const { graph } = lower('mixture(k = 2) of mixture(k = 3) of Normal(diag)', [real('a')]);
    expect(graph!.nodes.map((n) => [n.kind, n.units])).toEqual([
      ['input', 6],
      ['mixing', 2],
      ['mixing', 1],
    ]);
  });

  it('a mixture of products is a Hadamard product of input layers', () => {
    const p = compileOk(`model M = mixture(k = 4) of product { (a, b): Normal, c: Categorical }`);
    const { graph } = lowerModel(p, 'M', [real('a'), real('b'), { name: 'c', type: { kind: 'categorical', levels: ['u', 'v', 'w'] } }]);
    expect(graph!.nodes.map((n) => [n.kind, n.units, n.scope])).toEqual([
      ['input', 4, [0, 1]],
      ['input', 4, [2]],
      ['product', 4, [0, 1, 2]],
      ['mixing', 1, [0, 1, 2]],
    ]);
    expect(graph!.params['n1.probs']!.shape).toEqual([4, 1, 3]);
  });

  it('tied covariance is one shared parameter', () => {
    const { graph } = lower('mixture(k = 3) of Normal(tied)', [real('a'), real('b')]);
    expect(graph!.params['n0.cov']!.shape).toEqual([2, 2]);
    expect(graph!.nodes[0]).toMatchObject({ shared: ['cov'] });
  });

  it('given values are initial values; fixed and bounds are recorded', () => {
    const { graph } = lower('mixture(weights = [0.2, 0.8] fixed) { Normal(mean = 1 fixed, sd = 2 in [0.5, 4]), Normal(mean = -1, sd = 1) }', [real('x')]);
    expect(graph!.params['n0.mean']).toMatchObject({ value: [1], fixed: true, init: 'given' });
    expect(graph!.params['n0.cov']).toMatchObject({ value: [4], fixed: false, param: { kind: 'bounded', lower: 0.25, upper: 16 } }); // sd bounds, as variance
    expect(graph!.params['n2.weights']).toMatchObject({ value: [0.2, 0.8], fixed: true });
  });

  it('reports a Normal over a categorical column on the leaf span', () => {
    const p = compileOk(`model M = mixture(k = 2) of Normal`);
    const { graph, diagnostics } = lowerModel(p, 'M', [{ name: 's', type: { kind: 'categorical', levels: ['a', 'b'] } }]);
    expect(graph).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ code: 'type-mismatch', span: { startLine: 1, startColumn: 29 } });
    expect(diagnostics[0]!.hint).toMatch(/Categorical/);
  });

  it('IR is JSON-serializable and frozen', () => {
    const { graph } = lower('mixture(k = 2) of Normal(full)', [real('a')]);
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
    expect(Object.isFrozen(graph)).toBe(true);
  });
});
