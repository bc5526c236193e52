import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clipText, damerauLevenshtein, didYouMean, MAX_SUGGEST_LENGTH, suggestionHint } from '../../language/suggest.js';

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

/** The unbounded search didYouMean did before its work was bounded (reference for the property). */
function referenceDidYouMean(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  let bestExact = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const dist = damerauLevenshtein(name.toLowerCase(), c.toLowerCase());
    if (dist > limit || dist >= Math.max(name.length, c.length)) continue;
    const exact = damerauLevenshtein(name, c);
    if (dist < bestDist || (dist === bestDist && exact < bestExact)) [best, bestDist, bestExact] = [c, dist, exact];
  }
  return best;
}

describe('bounded suggestion work', () => {
  it('property: for names up to 100 characters the bounded search suggests what the unbounded one does', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'x', '_'), maxLength: 14 });
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (name, candidates) => {
        expect(didYouMean(name, candidates)).toBe(referenceDidYouMean(name, candidates));
      }),
      { numRuns: 2000 },
    );
  });

  it('a 6 MiB name is compared with nothing; a candidate of another length is never read', () => {
    const huge = 'x'.repeat(6 << 20);
    expect(didYouMean(huge, ['red', 'blue', huge.slice(1)])).toBeUndefined();
    // Candidates whose length differs by more than the allowed distance: an object whose
    // characters throw if read shows they are skipped on the length alone.
    const untouchable = new Proxy(new String('y'.repeat(50)), {
      get(target, key) {
        if (key === 'length') return 50;
        throw new Error(`read ${String(key)}`);
      },
    }) as unknown as string;
    expect(didYouMean('yyyy', [untouchable, 'yyyyy'])).toBe('yyyyy');
    expect(MAX_SUGGEST_LENGTH).toBe(100);
    expect(didYouMean('a'.repeat(101), ['a'.repeat(100)])).toBeUndefined();
    expect(didYouMean('a'.repeat(99) + 'b', ['a'.repeat(100)])).toBe('a'.repeat(100));
  });
});

describe('clipText', () => {
  it('keeps short text, clips long text to its start and end with its length', () => {
    expect(clipText('red')).toBe('red');
    expect(clipText('a'.repeat(60))).toBe('a'.repeat(60));
    const long = 'S' + 'x'.repeat(6 << 20) + 'E';
    const c = clipText(long);
    expect(c).toMatch(/^Sx+\.\.\.x+E \(6,291,458 characters\)$/);
    expect(c.length).toBeLessThan(90);
  });
});
