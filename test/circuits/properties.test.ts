// Structural checks on hand-made circuits (each violation names the node and its source),
// and on random circuits (the generator's are smooth and decomposable by construction).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decomposable, deterministic, smooth, structuredDecomposable } from '../../circuits/properties.js';
import type { IRGraph, IRNode, IRParam } from '../../ir/types.js';
import { circuitArb } from '../helpers/random-circuits.js';

const at = (line: number) => ({ source: { line, column: 1 } });

/** A circuit over bool x0..x3 from nodes; every input is Bernoulli with the given p per unit. */
function circuit(nodes: IRNode[], values: Record<string, number[]>): IRGraph {
  const params: Record<string, IRParam> = {};
  for (const [name, value] of Object.entries(values)) params[name] = { name, shape: [value.length], value, param: { kind: 'simplex' }, fixed: false, init: 'given' };
  return { version: 1, family: 'circuit', vars: ['x0', 'x1', 'x2', 'x3'].map((name) => ({ name, type: { kind: 'bool' as const } })), params, nodes, root: nodes[nodes.length - 1]!.id };
}

const leaf = (id: string, scope: number[], p: string, units = 1): IRNode => ({ kind: 'input', id, dist: 'Bernoulli', scope, units, params: { p } });
const prod = (id: string, children: string[], scope: number[], line?: number, mode: 'hadamard' | 'kronecker' = 'hadamard'): IRNode => ({ kind: 'product', id, mode, children, scope, units: 1, ...(line ? at(line) : {}) });
const sum = (id: string, children: string[], scope: number[], weights: string, line?: number): IRNode => ({ kind: 'sum', id, children, weights, scope, units: 1, ...(line ? at(line) : {}) });

describe('smooth', () => {
  it('holds when every sum covers its children exactly', () => {
    const g = circuit([leaf('a', [0], 'p'), leaf('b', [0], 'p'), sum('s', ['a', 'b'], [0], 'w')], { p: [0.3], w: [0.5, 0.5] });
    expect(smooth(g)).toEqual([]);
  });

  it('reports a sum whose children cover different variables, with its source', () => {
    const g = circuit([leaf('a', [0], 'p'), leaf('b', [1], 'p'), sum('s', ['a', 'b'], [0, 1], 'w', 7)], { p: [0.3], w: [0.5, 0.5] });
    const v = smooth(g);
    expect(v.map((x) => x.node)).toEqual(['s']);
    expect(v[0]!.source).toEqual({ line: 7, column: 1 });
    expect(v[0]!.message).toMatch(/not smooth.*\{x0\}/);
  });
});

describe('decomposable', () => {
  it('holds for products of disjoint parts covering the scope', () => {
    const g = circuit([leaf('a', [0], 'p'), leaf('b', [1], 'p'), prod('m', ['a', 'b'], [0, 1])], { p: [0.3] });
    expect(decomposable(g)).toEqual([]);
  });

  it('reports overlapping children and children that miss part of the scope', () => {
    const g = circuit(
      [leaf('a', [0], 'p'), leaf('b', [0, 1], 'p'), prod('m', ['a', 'b'], [0, 1], 3), prod('n', ['a'], [0, 2], 4), prod('r', ['m', 'n'], [0, 1, 2], 5)],
      { p: [0.3, 0.3] },
    );
    expect(decomposable(g).map((x) => [x.node, x.source?.line])).toEqual([['m', 3], ['n', 4], ['r', 5]]);
  });
});

describe('structuredDecomposable', () => {
  const parts = [leaf('a', [0], 'p'), leaf('b', [1], 'p'), leaf('c', [2], 'p'), leaf('d', [3], 'p')];
  it('holds when all products over a scope split it the same way (recursively)', () => {
    const g = circuit(
      [...parts, prod('ab', ['a', 'b'], [0, 1]), prod('ab2', ['b', 'a'], [0, 1], undefined, 'kronecker'), prod('cd', ['c', 'd'], [2, 3]),
        sum('s', ['ab', 'ab2'], [0, 1], 'w'), prod('root', ['s', 'cd'], [0, 1, 2, 3])],
      { p: [0.3], w: [0.5, 0.5] },
    );
    expect(structuredDecomposable(g)).toEqual([]);
  });

  it('reports a product splitting a scope differently from an earlier one', () => {
    const g = circuit(
      [...parts, prod('ab', ['a', 'b'], [0, 1]), prod('cd', ['c', 'd'], [2, 3]), prod('ac', ['a', 'c'], [0, 2]), prod('bd', ['b', 'd'], [1, 3]),
        prod('p1', ['ab', 'cd'], [0, 1, 2, 3]), prod('p2', ['ac', 'bd'], [0, 1, 2, 3], 9), sum('root', ['p1', 'p2'], [0, 1, 2, 3], 'w')],
      { p: [0.3], w: [0.5, 0.5] },
    );
    const v = structuredDecomposable(g);
    expect(v.map((x) => x.node)).toEqual(['p2']);
    expect(v[0]!.source?.line).toBe(9);
    expect(v[0]!.message).toMatch(/differently from product node p1/);
    expect(decomposable(g)).toEqual([]);
  });

  it('includes non-decomposable products', () => {
    const g = circuit([leaf('a', [0], 'p'), prod('m', ['a', 'a'], [0])], { p: [0.3] });
    expect(structuredDecomposable(g).map((x) => x.node)).toEqual(['m']);
  });
});

describe('deterministic', () => {
  it('holds for a sum of children that fix a variable to different values', () => {
    // x0 = 1 (p = 1) times anything, plus x0 = 0 (p = 0) times anything.
    const g = circuit(
      [leaf('one', [0], 'p1'), leaf('zero', [0], 'p0'), leaf('y', [1], 'p'), prod('m1', ['one', 'y'], [0, 1]), prod('m0', ['zero', 'y'], [0, 1]), sum('s', ['m1', 'm0'], [0, 1], 'w')],
      { p1: [1], p0: [0], p: [0.4], w: [0.3, 0.7] },
    );
    expect(deterministic(g)).toEqual([]);
  });

  it('reports a sum whose children overlap (a mixture), with its source', () => {
    const g = circuit([leaf('a', [0], 'p'), leaf('b', [0], 'q'), sum('s', ['a', 'b'], [0], 'w', 12)], { p: [0.3], q: [0.9], w: [0.5, 0.5] });
    const v = deterministic(g);
    expect(v.map((x) => [x.node, x.source?.line])).toEqual([['s', 12]]);
  });

  it('reads each unit of a layer for its support, and a shared parameter for every unit', () => {
    // Unit 0 fixes x0 = 1, unit 1 fixes x0 = 0: disjoint. With p shared (one value, no units axis) both fix x0 = 1.
    const two = circuit([leaf('two', [0], 'p', 2), sum('s', ['two'], [0], 'w', 5)], { p: [1, 0], w: [0.5, 0.5] });
    expect(deterministic(two)).toEqual([]);
    const tied = circuit([{ ...leaf('two', [0], 'p', 2), shared: ['p'] } as IRNode, sum('s', ['two'], [0], 'w', 5)], { p: [1], w: [0.5, 0.5] });
    expect(deterministic(tied).map((x) => x.node)).toEqual(['s']);
    // Leaves without a declared finite support (Poisson) restrict nothing.
    const pois = circuit([{ ...leaf('two', [0], 'p', 2), dist: 'Poisson', params: { rate: 'p' } } as IRNode, sum('s', ['two'], [0], 'w', 5)], { p: [1, 0], w: [0.5, 0.5] });
    expect(deterministic(pois).map((x) => x.node)).toEqual(['s']);
  });

  it('ignores inputs with zero weight, and sees Categorical zeros through unions of sums', () => {
    const cat = (id: string, probs: number[]): IRNode => ({ kind: 'input', id, dist: 'Categorical', scope: [0], units: 1, params: { probs: id } });
    const g: IRGraph = {
      version: 1,
      family: 'circuit',
      vars: [{ name: 'c', type: { kind: 'categorical', levels: ['a', 'b', 'c'] } }],
      params: Object.fromEntries(
        [['ab', [0.5, 0.5, 0]], ['a', [1, 0, 0]], ['c', [0, 0, 1]], ['w', [0.4, 0.6]], ['w0', [0.5, 0, 0.5]]].map(([n, v]) => [n, { name: n as string, shape: [(v as number[]).length], value: v as number[], param: { kind: 'simplex' as const }, fixed: false, init: 'given' as const }]),
      ),
      nodes: [cat('ab', [0.5, 0.5, 0]), cat('a', [1, 0, 0]), cat('c', [0, 0, 1]), { kind: 'sum', id: 'inner', children: ['a', 'ab'], weights: 'w', scope: [0], units: 1 },
        { kind: 'sum', id: 'root', children: ['inner', 'ab', 'c'], weights: 'w0', scope: [0], units: 1 }],
      root: 'root',
    };
    // inner is not deterministic (a and ab both allow level a); root's live inputs inner {a, b} and c {c} are disjoint.
    expect(deterministic(g).map((x) => x.node)).toEqual(['inner']);
  });

  it('holds for deterministic generated circuits; every random circuit is smooth and decomposable', () => {
    fc.assert(fc.property(circuitArb({ kind: 'discrete', deterministic: true, maxVars: 10 }), (g) => {
      expect(deterministic(g)).toEqual([]);
    }), { numRuns: 50 });
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 10 }), (g) => {
        expect(smooth(g)).toEqual([]);
        expect(decomposable(g)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
