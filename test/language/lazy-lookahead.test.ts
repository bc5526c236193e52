// The shared parser builds chevrotain's LL(k) lookahead functions on first use
// (language/lazy-lookahead.ts); a parser built the default way computes them all up front.
// Both must parse every statement to the same tree and the same errors, including broken ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CstNode, IToken } from 'chevrotain';
import { LLkLookaheadStrategy } from 'chevrotain';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PmixGrammar } from '../../language/grammar.js';
import * as T from '../../language/tokens.js';

const root = new URL('../../', import.meta.url).pathname;
const programs = [
  ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.pmix')).map((f) => join(root, 'examples', f)),
  join(root, 'examples/squared-ring/ring.pmix'),
].map((p) => readFileSync(p, 'utf8'));

/** A program's tokens cut at statement keywords, as language/parse.ts cuts them. */
function pieces(text: string): IToken[][] {
  const out: IToken[][] = [];
  let cur: IToken[] = [];
  for (const tok of T.PmixLexer.tokenize(text).tokens) {
    if (T.STATEMENT_KEYWORDS.includes(tok.tokenType) && cur.length) {
      out.push(cur);
      cur = [];
    }
    cur.push(tok);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** The tree and errors of one piece, as plain data (token types by name, not by object). */
function parseWith(p: PmixGrammar, tokens: IToken[], rule: 'statement' | 'queryExpr'): string {
  p.input = tokens;
  let cst: CstNode | undefined;
  let thrown: string | undefined;
  try {
    cst = rule === 'statement' ? p.statement() : p.queryExpr();
  } catch (e) {
    thrown = String(e);
  }
  const errors = p.errors.map((e) => ({ name: e.name, message: e.message, at: e.token.startOffset }));
  return JSON.stringify({ cst, errors, thrown }, (k, v) => (k === 'tokenType' ? v.name : v));
}

const lazy = new PmixGrammar();
const eager = new PmixGrammar({ eagerLookahead: true });
const all = programs.flatMap(pieces);

describe('lazy lookahead (language/lazy-lookahead.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses every statement of the examples to the same tree as the eager parser', () => {
    expect(all.length).toBeGreaterThan(50);
    for (const piece of all) {
      const a = parseWith(lazy, piece, 'statement');
      expect(a).toBe(parseWith(eager, piece, 'statement'));
      expect(JSON.parse(a).errors).toEqual([]); // the examples parse
    }
  });

  it('gives the same trees and errors on statements with tokens dropped, repeated or swapped', () => {
    const queries = all.filter((p) => p[0]!.tokenType === T.Query && p.length > 3).map((p) => p.slice(3)); // after 'query M:'
    expect(queries.length).toBeGreaterThan(5);
    let broken = 0;
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.nat(200), fc.nat(200), fc.constantFrom('drop', 'repeat', 'swap'), fc.boolean(), (k, i, j, how, asQuery) => {
        const src = asQuery ? queries[k % queries.length]! : all[k]!;
        const t = [...src];
        const a = i % t.length;
        const b = j % t.length;
        if (how === 'drop') t.splice(a, 1);
        else if (how === 'repeat') t.splice(a, 0, t[a]!);
        else [t[a], t[b]] = [t[b]!, t[a]!];
        const rule = asQuery ? 'queryExpr' : 'statement';
        const got = parseWith(lazy, t, rule);
        if (JSON.parse(got).errors.length) broken++;
        expect(got).toBe(parseWith(eager, t, rule));
      }),
      { numRuns: 600, seed: 21 },
    );
    expect(broken).toBeGreaterThan(100); // the error paths were exercised
  });

  it('builds no lookahead function when the parser is built, and only the ones a parse reaches', () => {
    const alt = vi.spyOn(LLkLookaheadStrategy.prototype, 'buildLookaheadForAlternation');
    const opt = vi.spyOn(LLkLookaheadStrategy.prototype, 'buildLookaheadForOptional');
    new PmixGrammar({ eagerLookahead: true });
    const eagerBuilt = alt.mock.calls.length + opt.mock.calls.length;
    expect(eagerBuilt).toBeGreaterThan(50);
    alt.mockClear();
    opt.mockClear();
    const p = new PmixGrammar();
    expect(alt.mock.calls.length + opt.mock.calls.length).toBe(0);
    parseWith(p, pieces('fit K on faithful')[0]!, 'statement');
    const used = alt.mock.calls.length + opt.mock.calls.length;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(eagerBuilt / 2);
    parseWith(p, pieces('fit K on faithful')[0]!, 'statement');
    expect(alt.mock.calls.length + opt.mock.calls.length).toBe(used); // built once, kept
  });
});
