// The REPL's completion words come from the registries: every leaf distribution, GP kernel,
// query form, fit method, region graph, quadrature rule and keyword is offered, and the words
// the hand-written list had are still there.
import { describe, expect, it } from 'vitest';
import { registryWords } from '../../cli/commands/repl-words.js';
import { distributions } from '../../stdlib/distributions/index.js';
import { USER_KERNELS } from '../../stdlib/kernels/index.js';
import { QUERY_FORMS, RESERVED_WORDS } from '../../language/index.js';
import { FIT_METHODS } from '../../compiler/fit-settings.js';
import { REGION_GRAPHS } from '../../compiler/circuit-spec.js';

describe('REPL completion words', () => {
  const words = registryWords();
  it('keeps the words of the old hand-written list', () => {
    expect(words).toEqual(expect.arrayContaining(['data', 'model', 'fit', 'query', 'mixture', 'product', 'Normal', 'Categorical', 'Poisson', ...QUERY_FORMS]));
  });
  it('offers every registry entry, once', () => {
    const expected = [...distributions.keys(), 'diag', 'full', 'spherical', 'tied', ...USER_KERNELS, ...FIT_METHODS, ...REGION_GRAPHS, 'gauss_legendre', 'gauss_hermite', 'trapezoid', 'midpoint', ...RESERVED_WORDS];
    expect(words).toEqual(expect.arrayContaining(expected));
    expect(new Set(words).size).toBe(words.length);
    expect(words).toEqual(expect.arrayContaining(['StudentT', 'LogNormal', 'rbf', 'matern52', 'em', 'adam', 'lbfgs', 'quad_tree', 'integral', 'square']));
    expect(words).not.toContain('coregion');
  });
});
