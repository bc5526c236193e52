import { describe, expect, it } from 'vitest';
import { damerauLevenshtein, didYouMean, suggestionHint } from '../../language/suggest.js';

const DISTRIBUTIONS = ['Normal', 'Categorical', 'Bernoulli', 'Binomial', 'Poisson', 'Exponential', 'Gamma', 'Beta', 'Laplace', 'StudentT', 'LogNormal'];

describe('damerauLevenshtein', () => {
  it('counts edits, with a transposition as one', () => {
    expect(damerauLevenshtein('', '')).toBe(0);
    expect(damerauLevenshtein('abc', '')).toBe(3);
    expect(damerauLevenshtein('', 'ab')).toBe(2);
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('logp', 'lopg')).toBe(1);
    expect(damerauLevenshtein('ca', 'abc')).toBe(2); // not 3: the unrestricted distance
    expect(damerauLevenshtein('abcdef', 'abcdef')).toBe(0);
  });

  it('is symmetric', () => {
    for (const [a, b] of [['gamma', 'gmama'], ['normal', 'nromal'], ['x', 'xyz']] as const) {
      expect(damerauLevenshtein(a, b)).toBe(damerauLevenshtein(b, a));
    }
  });
});

describe('didYouMean', () => {
  it('finds close names, ignoring case', () => {
    expect(didYouMean('Normla', DISTRIBUTIONS)).toBe('Normal');
    expect(didYouMean('normal', DISTRIBUTIONS)).toBe('Normal');
    expect(didYouMean('Posson', DISTRIBUTIONS)).toBe('Poisson');
    expect(didYouMean('lognormal', DISTRIBUTIONS)).toBe('LogNormal');
    expect(didYouMean('Categoricl', DISTRIBUTIONS)).toBe('Categorical');
    expect(didYouMean('studentt', DISTRIBUTIONS)).toBe('StudentT');
  });

  it('allows max(1, floor(len / 3)) edits', () => {
    expect(didYouMean('Gama', DISTRIBUTIONS)).toBe('Gamma'); // 1 edit, len 4
    expect(didYouMean('Gm', DISTRIBUTIONS)).toBeUndefined(); // 3 edits
    expect(didYouMean('Expnntial', DISTRIBUTIONS)).toBe('Exponential'); // 2 edits, len 9
    expect(didYouMean('Expntl', DISTRIBUTIONS)).toBeUndefined(); // 5 edits
    expect(didYouMean('Gaussian', DISTRIBUTIONS)).toBeUndefined();
  });

  it('does not suggest a name sharing nothing with the input', () => {
    expect(didYouMean('x', ['y', 'z'])).toBeUndefined();
    expect(didYouMean('x', ['xs'])).toBe('xs');
  });

  it('prefers the closest, then the closer case, then the first', () => {
    expect(didYouMean('beta', ['Beta', 'beat'])).toBe('Beta');
    expect(didYouMean('Beta', ['beta', 'Beta2'])).toBe('beta');
    expect(didYouMean('abcd', ['abce', 'abcf'])).toBe('abce');
    expect(didYouMean('waitng', new Set(['eruptions', 'waiting']))).toBe('waiting');
  });

  it('gives nothing for no candidates or an exact match', () => {
    expect(didYouMean('Normal', [])).toBeUndefined();
    expect(didYouMean('Normal', ['Normal'])).toBeUndefined();
  });
});

describe('suggestionHint', () => {
  it('phrases the suggestion', () => {
    expect(suggestionHint('Normla', DISTRIBUTIONS)).toBe("did you mean 'Normal'?");
    expect(suggestionHint('Zzz', DISTRIBUTIONS)).toBeUndefined();
  });
});
