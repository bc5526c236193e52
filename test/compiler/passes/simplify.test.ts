// The simplify pass drops arity-1 mixing nodes and single-child products, and is pure.
import { describe, expect, it } from 'vitest';
import { simplify } from '../../../compiler/passes/simplify.js';
import { lowerModel } from '../../../compiler/lower.js';
import type { IRGraph } from '../../../ir/types.js';
import { compileOk } from '../../helpers/programs.js';

describe('simplify', () => {
  it('lowering a 1-component mixture of a 1-part product leaves just the leaf', () => {
    const p = compileOk('model M = mixture(k = 1) of product { x: Normal }');
    const { graph } = lowerModel(p, 'M', [{ name: 'x', type: { kind: 'real' } }]);
    expect(graph!.nodes.map((n) => n.kind)).toEqual(['input']);
    expect(graph!.root).toBe(graph!.nodes[0]!.id);
    expect(Object.keys(graph!.params).sort()).toEqual(['n0.cov', 'n0.mean']);
  });

  it('re-points parents and leaves the input graph untouched', () => {
    const g: IRGraph = {
      version: 1,
      family: 'mixture',
      vars: [{ name: 'x', type: { kind: 'real' } }],
      params: {
        a: { name: 'a', shape: [1, 1], param: { kind: 'identity' }, value: [0], fixed: false, init: 'given' },
        w1: { name: 'w1', shape: [1, 1], param: { kind: 'simplex' }, value: [1], fixed: false, init: 'given' },
        w2: { name: 'w2', shape: [1, 2], param: { kind: 'simplex' }, value: [0.5, 0.5], fixed: false, init: 'given' },
      },
      nodes: [
        { kind: 'input', id: 'i', dist: 'Poisson', params: { rate: 'a' }, scope: [0], units: 1 },
        { kind: 'mixing', id: 'm1', arity: 1, children: ['i'], weights: 'w1', scope: [0], units: 1 },
        { kind: 'input', id: 'j', dist: 'Poisson', params: { rate: 'a' }, scope: [0], units: 1 },
        { kind: 'mixing', id: 'm2', arity: 2, children: ['m1', 'j'], weights: 'w2', scope: [0], units: 1 },
      ],
      root: 'm2',
    };
    const before = JSON.stringify(g);
    const s = simplify(g);
    expect(JSON.stringify(g)).toBe(before);
    expect(s.nodes.map((n) => n.id)).toEqual(['i', 'j', 'm2']);
    expect(s.nodes[2]).toMatchObject({ children: ['i', 'j'] });
    expect(s.params.w1).toBeUndefined();
  });
});
