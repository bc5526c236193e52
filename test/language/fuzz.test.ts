import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../language/ast.js';
import { parseProgram, parseQuery } from '../../language/parse.js';
import { renderDiagnostics } from '../../language/render.js';
import { PmixLexer } from '../../language/tokens.js';
import { expectConsistentSpan } from './helpers.js';

const VALID = `let s = 2 * pi ^ -0.5 + max(1, [2, 3])
data faithful from "faithful.csv" {
  eruptions: real
  waiting: real,
  n: int
  ok: bool
  species: categorical("Adelie", "Chinstrap", "Gentoo")
  island: categorical
}
model Geyser = mixture(k = 3) of Normal(full)
model Std(x) = Normal(mean = 0 fixed, sd = 1 in [0.01, 10]);
model Two = mixture(weights = [0.3, 0.7]) { Normal(mean = 0), Normal(mean = 5, sd = 2) }
model Nested = mixture(k = 2) of mixture(k = 3) of Normal(diag)
model Mixed = mixture(k = 3) of product { (bill, depth): Normal(full), species: Categorical }
model Ref = mixture(k = 4) of Geyser
model Wave = mixture(k = 2) of integral z: real in [-1, 1] by gauss_legendre(points = 16) of Normal(mean = tanh(2 * z), sd = mlp(hidden = 8, layers = 2,))
fit Geyser on faithful by em(max_iter = 200, tol = 1e-6, restarts = 5, init = kmeans, seed = 1)
fit Geyser on faithful weights n by adam(lr = 0.01, epochs = 20, batch = 512)
query Geyser: logp(eruptions = 3.1, waiting = 70)
query Geyser: p(eruptions | waiting = 70)
query Geyser: sample(5, seed = 2)
query Geyser: mean(eruptions | species = "Adelie")
`;

// Strings the lexer has to cope with, beyond the valid ones.
const FRAGMENTS = [
  ...new Set(PmixLexer.tokenize(VALID).tokens.map((t) => t.image)),
  '"', "'", '/*', '*/', '//', '\n', '\r\n', '\t', '@', '1e', '.', '..', '\\', '"a\\', '|', '\u00e9', '\u2028', '\ud83d',
];

/** Every diagnostic has a span that lies in the text and agrees with it. */
function checkProgram(text: string): void {
  const { program, diagnostics } = parseProgram(text, 'fuzz.pmix');
  for (const d of diagnostics) {
    expect(d.span, d.message).toBeDefined();
    expectConsistentSpan(text, d.span!);
    expect(d.file).toBe('fuzz.pmix');
    expect(d.code).not.toBe('internal');
  }
  // Recovery is per statement: never more syntax errors than statements begun.
  const keywords = PmixLexer.tokenize(text).tokens.filter((t) => /^(data|model|let|fit|query)$/.test(t.image)).length;
  expect(diagnostics.filter((d) => d.code !== 'lex').length).toBeLessThanOrEqual(keywords + 1);
  for (const s of program.statements) expectConsistentSpan(text, s.span);
  expect(() => renderDiagnostics(diagnostics, new Map([['fuzz.pmix', text]]))).not.toThrow();
}

const tokensOfValid = (() => {
  const { tokens } = PmixLexer.tokenize(VALID);
  return tokens.map((t) => ({ image: t.image, start: t.startOffset }));
})();

type Mutation = { op: 'drop' | 'dup' | 'swap' | 'insert'; at: number; other: number; fragment: string };

function mutate(mutations: readonly Mutation[]): string {
  const images = tokensOfValid.map((t) => t.image);
  const seps = tokensOfValid.map((t, i) => {
    const prev = tokensOfValid[i - 1];
    const end = prev ? prev.start + prev.image.length : 0;
    return VALID.slice(end, t.start);
  });
  for (const m of mutations) {
    if (images.length === 0) break;
    const i = m.at % images.length;
    const j = m.other % images.length;
    if (m.op === 'drop') {
      images.splice(i, 1);
      seps.splice(i, 1);
    } else if (m.op === 'dup') {
      images.splice(i, 0, images[i]!);
      seps.splice(i, 0, ' ');
    } else if (m.op === 'swap') {
      [images[i], images[j]] = [images[j]!, images[i]!];
    } else {
      images.splice(i, 0, m.fragment);
      seps.splice(i, 0, ' ');
    }
  }
  return images.map((img, i) => (seps[i] ?? ' ') + img).join('');
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('drop', 'dup', 'swap', 'insert'),
  at: fc.nat(),
  other: fc.nat(),
  fragment: fc.constantFrom(...FRAGMENTS),
});

describe('parseProgram never throws', () => {
  it('the valid program parses cleanly', () => {
    const { program, diagnostics } = parseProgram(VALID, 'fuzz.pmix');
    expect(diagnostics).toEqual([]);
    expect(program.statements).toHaveLength(15);
  });

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkProgram), { numRuns: 1000 });
  });

  it('on strings made of language fragments', () => {
    const text = fc.array(fc.constantFrom(...FRAGMENTS, ' ', ' '), { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, checkProgram), { numRuns: 1000 });
  });

  it('on valid programs with tokens dropped, duplicated, swapped or inserted', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => checkProgram(mutate(ms))),
      { numRuns: 1000 },
    );
  });

  it('keeps the statements a single mutation does not touch', () => {
    fc.assert(
      fc.property(mutation.filter((m) => m.op === 'drop'), (m) => {
        const text = mutate([m]);
        const { program } = parseProgram(text, 'fuzz.pmix');
        // One dropped token spoils at most two statements (a dropped keyword merges two).
        expect(program.statements.length).toBeGreaterThanOrEqual(13);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseQuery never throws', () => {
  it('on arbitrary strings and fragments', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.array(fc.constantFrom('logp', 'p', 'mean', 'mode', 'sample', 'posterior', '(', ')', '|', ',', '=', 'x', '1', '"a"', '-'), {
        maxLength: 20,
      }).map((p) => p.join(' ')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const { query, diagnostics } = parseQuery(t);
        expect(query === undefined).toBe(diagnostics.length > 0);
        for (const d of diagnostics) expectConsistentSpan(t, d.span as Span);
      }),
      { numRuns: 800 },
    );
  });
});
