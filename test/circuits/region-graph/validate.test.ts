// validate() finds each kind of problem; structured-decomposability follows its definition.
import { describe as group, expect, it } from 'vitest';
import { describe, isStructuredDecomposable, validate, whyNotStructuredDecomposable, type RegionGraph } from '../../../circuits/region-graph/index.js';

const rg = (scopes: number[][], partitions: [number, number[]][], root = scopes.length - 1): RegionGraph => ({
  regions: scopes.map((scope, id) => ({ id, scope })),
  partitions: partitions.map(([parent, children]) => ({ parent, children })),
  root,
});

group('validate', () => {
  it('accepts a well-formed graph', () => {
    expect(validate(rg([[0], [1], [2], [1, 2], [0, 1, 2]], [[3, [1, 2]], [4, [0, 3]]]))).toEqual([]);
  });

  it.each([
    ['overlapping children', rg([[0, 1], [1], [0, 1]], [[2, [0, 1]]]), /more than one child/],
    ['children that miss a variable', rg([[0], [1], [0, 1, 2]], [[2, [0, 1]]]), /cover exactly/],
    ['a child after its parent', rg([[0, 1], [0], [1]], [[0, [1, 2]]], 0), /topological/],
    ['a root that is not last', rg([[0, 1], [0], [1]], [[0, [1, 2]]], 0), /not the last/],
    ['a wrong id', { regions: [{ id: 5, scope: [0] }], partitions: [], root: 0 }, /has id 5/],
    ['an unsorted scope', rg([[1, 0]], []), /not sorted/],
    ['an empty scope', rg([[]], []), /empty scope/],
    ['a dangling region', rg([[7], [0], [1], [0, 1]], [[3, [1, 2]]]), /not reachable/],
    ['a region outside the root', rg([[7], [0], [1], [0, 1]], [[3, [1, 2]]]), /does not cover variable\(s\) 7/],
    ['a one-child partition', rg([[0], [0]], [[1, [0]]]), /at least 2/],
    ['a missing child', rg([[0], [0, 1]], [[1, [0, 9]]]), /no such child/],
    ['a duplicate partition', rg([[0], [1], [0, 1]], [[2, [0, 1]], [2, [1, 0]]]), /duplicates/],
  ])('reports %s', (_, g, re) => {
    const problems = validate(g);
    expect(problems.some((p) => re.test(p)), problems.join('\n')).toBe(true);
  });
});

group('structured decomposability', () => {
  it('holds when equal scopes are split equally, even in different regions', () => {
    // Two regions over {0,1}, both split into {0} | {1}.
    const g = rg([[0], [1], [0, 1], [0], [1], [0, 1], [2], [2], [0, 1, 2]], [[2, [0, 1]], [5, [3, 4]], [8, [2, 6]], [8, [5, 7]]]);
    expect(validate(g)).toEqual([]);
    expect(isStructuredDecomposable(g)).toBe(true);
  });

  it('fails when a scope is split two ways', () => {
    const g = rg([[0], [1], [2], [0, 1], [1, 2], [0, 1, 2]], [[3, [0, 1]], [4, [1, 2]], [5, [3, 2]], [5, [0, 4]]]);
    expect(validate(g)).toEqual([]);
    expect(whyNotStructuredDecomposable(g)).toMatch(/split in 2 different ways/);
  });

  it('fails when a scope is an input region in one place and split in another', () => {
    const g = rg([[0], [1], [0, 1], [0, 1], [2], [0, 1, 2]], [[2, [0, 1]], [5, [2, 4]], [5, [3, 4]]]);
    expect(validate(g)).toEqual([]);
    expect(whyNotStructuredDecomposable(g)).toMatch(/same scope \{0, 1\} but are split differently/);
  });

  it('describe counts regions, partitions, depth and arity', () => {
    const g = rg([[0], [1], [2], [1, 2], [0, 1, 2]], [[3, [1, 2]], [4, [0, 3]]]);
    expect(describe(g)).toEqual({ regions: 5, partitions: 2, leaves: 3, vars: 3, depth: 2, maxArity: 2, maxPartitions: 1, maxLeafScope: 1 });
  });
});
